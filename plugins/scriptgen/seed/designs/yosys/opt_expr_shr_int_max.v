module uut_00034(b, y);
  input signed [30:0] b;
  output [11:0] y = b >> ~31'b0; // shift by INT_MAX
endmodule
