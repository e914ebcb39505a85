module filter (input clk, input rst, input [7:0] x, output [9:0] y);
  reg [7:0] t0, t1, t2;
  always @(posedge clk)
    if (rst) {t0, t1, t2} <= 24'd0;
    else {t0, t1, t2} <= {x, t0, t1};
  assign y = x + t0 + t1 + t2;
endmodule
