module top (
  input wire a,
  input wire b,
  input wire c,
  input wire d,
  output wire [3:0] x
);
  wire [1:0] ab;
  wire [2:0] abc;
  assign ab = a + b;
  assign abc = ab + c;
  assign x = abc + d;
endmodule
