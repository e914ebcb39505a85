module threshold (input clk, input [9:0] value, input [9:0] limit, output reg over);
  always @(posedge clk) over <= value > limit;
endmodule
