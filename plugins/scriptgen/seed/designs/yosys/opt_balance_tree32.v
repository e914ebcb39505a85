module top(input a, c, input [3:0] v, output b, output x);
  wire w;
  assign w = b & a;
  assign b = w | c;
  assign x = v[0] | v[1] | v[2] | v[3];
endmodule
