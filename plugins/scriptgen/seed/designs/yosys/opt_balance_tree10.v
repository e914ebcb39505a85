module top (
  input wire a,
  input wire b,
  input wire c,
  input wire d,
  output wire [1:0] x,
  output wire [2:0] y,
  output wire [3:0] z
);
  wire [2:0] temp;
  assign y = ~temp;
  assign x = a + b;
  assign temp = x + c;
  assign z = temp + d;
endmodule
