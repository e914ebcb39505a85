module top (
  input wire [15:0] wide_a,
  input wire [7:0] med_b,
  input wire [3:0] small_c,
  input wire [1:0] tiny_d,
  input wire single_e,
  output wire [16:0] wide_result
);
  assign wide_result = wide_a + med_b + small_c + tiny_d + single_e;
endmodule
