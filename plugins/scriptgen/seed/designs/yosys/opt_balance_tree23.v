module top (
  input wire [3:0] a, b, c, d,  // All unsigned
  output wire signed [6:0] result  // Signed output
);
  wire signed [4:0] intermediate1, intermediate2;

  assign intermediate1 = $signed(a) + $signed(b);  // Convert to signed
  assign intermediate2 = $signed(c) + $signed(d);  // Convert to signed
  assign result = intermediate1 + intermediate2;   // Signed addition
endmodule
