module top (
  input wire [4:0] a, b, c, d, e, f,
  output wire [6:0] result
);
  wire [6:0] sum_part, diff_part;

  assign sum_part = a + b + c;
  assign diff_part = d - e + f;  // Mix of add and subtract
  assign result = sum_part + diff_part;
endmodule
