module top (
  input wire signed [2:0] narrow_a,     // 3-bit signed
  input wire signed [4:0] wide_b,       // 5-bit signed
  input wire [3:0] unsigned_c,          // 4-bit unsigned
  input wire signed [3:0] signed_d,     // 4-bit signed
  output wire signed [8:0] result       // Wide signed output
);
  // Let Verilog handle sign extension automatically in the adder tree
  assign result = narrow_a + wide_b + $signed({1'b0, unsigned_c}) + signed_d;
endmodule
