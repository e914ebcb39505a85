module top (
  input wire a,
  input wire b,
  input wire c,
  input wire d,
  output wire [1:0] x,
  output wire [2:0] y,
  output wire [3:0] z
);
  assign x = a + b;
  assign y = x + c;
  assign z = y + d;
endmodule
