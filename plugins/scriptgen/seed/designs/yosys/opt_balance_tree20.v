module top (
  input wire [3:0] a,
  input wire signed [4:0] b,
  input wire [2:0] c, d, e,
  input wire sel,
  output wire signed [7:0] main_result,
  output wire [3:0] side_result,
  output wire overflow
);
  wire [4:0] partial1, partial2;
  wire [5:0] intermediate;

  assign partial1 = a + c;
  assign partial2 = d + e + c;  // 'c' used twice
  assign intermediate = partial1 + partial2;
  assign main_result = intermediate + b;
  assign side_result = sel ? partial1[3:0] : partial2[3:0];
  assign overflow = intermediate[5];
endmodule
