module top (
  input wire a,
  input wire b,
  input wire c,
  input wire d,
  output wire [8:0] x,
  output wire y
);
  assign x[1:0] = a + b;
  assign x[4:2] = x[1:0] + c;
  assign x[8:5] = x[4:2] + d;

  assign y = x[4];
endmodule
