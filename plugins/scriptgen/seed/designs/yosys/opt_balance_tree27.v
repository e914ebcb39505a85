module top (
  input wire signed [7:0] data_a, data_b,
  input wire [3:0] unsigned_offset,
  output wire signed [9:0] result
);
  wire signed [8:0] sum_full;
  wire signed [6:0] sum_high, sum_low;

  assign sum_full = data_a + data_b;
  assign sum_high = data_a[7:2] + data_b[7:2];           // High bits (signed)
  assign sum_low = $signed({1'b0, data_a[5:0]}) + $signed({1'b0, data_b[5:0]});  // Low bits as unsigned->signed

  // Combine with unsigned offset
  assign result = sum_full + $signed({6'b0, unsigned_offset});
endmodule
