module top (
  input wire [2:0] u_a, u_b, u_c,           // Small unsigned inputs
  input wire signed [2:0] s_a, s_b, s_c,    // Small signed inputs (same width)
  output wire [5:0] unsigned_result,        // Unsigned result
  output wire signed [5:0] signed_result    // Signed result
);
  // Test how signedness affects tree balancing for same-width inputs
  assign unsigned_result = u_a + u_b + u_c;  // All unsigned arithmetic
  assign signed_result = s_a + s_b + s_c;    // All signed arithmetic
endmodule
