module test_module (
  a,
  b,
  x,
  y
);
  input [0:0] a;
  output [0:0] b;
  input [1:0] x;
  output [1:0] y;
  assign b = a;
  assign y = x;
endmodule
