module top (
  input wire signed [4:0] base_val,
  input wire [3:0] pos_offset1, pos_offset2,
  input wire signed [3:0] signed_offset,
  input wire extend_sign,
  output wire signed [8:0] result
);
  wire signed [5:0] extended_base;
  wire signed [6:0] offset_sum;

  // Conditional sign extension based on input
  assign extended_base = extend_sign ?
    {{1{base_val[4]}}, base_val} :     // Sign extend
    {1'b0, base_val};                  // Zero extend

  // Mix of signed and unsigned offsets
  assign offset_sum = $signed({2'b0, pos_offset1}) +
                     $signed({2'b0, pos_offset2}) +
                     {{2{signed_offset[3]}}, signed_offset};

  assign result = extended_base + offset_sum;
endmodule
