module top (
  input wire [3:0] a,
  input wire signed [4:0] b,
  input wire [2:0] c,
  input wire signed [3:0] d,
  input wire [1:0] e,
  input wire signed [2:0] f,
  output wire signed [7:0] x,
);
  assign x = a + b + c + d + e + f;
endmodule
