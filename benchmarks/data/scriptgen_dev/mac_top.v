// Multiply-accumulate unit: mul8 feeds accum.
module mac_top (input clk, input clr, input en, input [7:0] x, input [7:0] y, output [19:0] total);
  wire [15:0] prod;
  mul8  u_mul (.a(x), .b(y), .p(prod));
  accum u_acc (.clk(clk), .clr(clr), .en(en), .inc(prod), .sum(total));
endmodule
