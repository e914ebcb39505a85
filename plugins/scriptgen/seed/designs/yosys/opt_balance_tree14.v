module top (
  input wire [2:0] a, b, c, d,
  input wire sel,
  output wire [4:0] sum,
  output wire [2:0] mux_out
);
  wire [3:0] partial_sum;
  assign partial_sum = a + b;
  assign sum = partial_sum + c + d;
  assign mux_out = sel ? partial_sum[2:0] : c;
endmodule
