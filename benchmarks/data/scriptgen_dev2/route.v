// Pick one of eight 4-bit lanes by a case statement.
module route_sel (
    input  wire [2:0]  pick,
    input  wire [31:0] lanes,
    output reg  [3:0]  lane
);
    always @* begin
        case (pick)
            3'd0: lane = lanes[3:0];
            3'd1: lane = lanes[7:4];
            3'd2: lane = lanes[11:8];
            3'd3: lane = lanes[15:12];
            3'd4: lane = lanes[19:16];
            3'd5: lane = lanes[23:20];
            3'd6: lane = lanes[27:24];
            default: lane = lanes[31:28];
        endcase
    end
endmodule
