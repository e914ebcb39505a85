// Two multiply-accumulate stages and a saturating clip: a small hierarchy.
module mac_stage #(parameter W = 6) (
    input  wire           clk,
    input  wire [W-1:0]   a,
    input  wire [W-1:0]   b,
    output reg  [2*W-1:0] acc
);
    always @(posedge clk) acc <= acc + a * b;
endmodule

module sat_clip (
    input  wire [12:0] wide,
    output wire [7:0]  narrow
);
    assign narrow = (wide > 13'd255) ? 8'hff : wide[7:0];
endmodule

module dsp_top (
    input  wire       clk,
    input  wire [5:0] x,
    input  wire [5:0] y,
    input  wire [5:0] z,
    output wire [7:0] out
);
    wire [11:0] p0, p1;
    mac_stage #(.W(6)) first  (.clk(clk), .a(x), .b(y), .acc(p0));
    mac_stage #(.W(6)) second (.clk(clk), .a(y), .b(z), .acc(p1));
    sat_clip clip (.wide({1'b0, p0} + {1'b0, p1}), .narrow(out));
endmodule
