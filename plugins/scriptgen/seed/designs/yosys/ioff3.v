module top (input clk, input [3:0] a, output [3:0] o, output [3:0] p);
    reg [3:0] r;
    always @(posedge clk) begin
        r <= ~a;
    end
    assign o = r;
    assign p = r;
endmodule
