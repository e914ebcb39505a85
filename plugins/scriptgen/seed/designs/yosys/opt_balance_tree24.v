module top (
  input wire signed [4:0] a, b,    // Signed inputs (can be negative)
  input wire [3:0] c, d,           // Unsigned inputs
  output wire signed [7:0] result  // Signed output
);
  wire signed [5:0] sum_signed, sum_unsigned;

  assign sum_signed = a + b;                    // Signed + Signed
  assign sum_unsigned = $signed({1'b0, c}) + $signed({1'b0, d});  // Force unsigned to signed safely
  assign result = sum_signed + sum_unsigned;   // Mixed result
endmodule
