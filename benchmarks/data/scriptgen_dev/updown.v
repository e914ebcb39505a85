module updown_counter (clk, reset, load, up, din, q);
  input clk, reset, load, up;
  input [3:0] din;
  output reg [3:0] q;
  always @(posedge clk)
    if (reset) q <= 4'b0000;
    else if (load) q <= din;
    else if (up) q <= q + 1'b1;
    else q <= q - 1'b1;
endmodule
