module top (
  input wire [2:0] a, b, c, d,
  output wire [3:0] sum,
  output wire low_bit,
  output wire [1:0] mid_bits,
  output wire high_bit
);
  assign sum = a + b + c + d;
  assign low_bit = sum[0];
  assign mid_bits = sum[2:1];
  assign high_bit = sum[3];
endmodule
