module top (
  input wire [2:0] a, b, c,
  output wire [5:0] result
);
  wire [4:0] sum1, sum2;

  assign sum1 = a + b + a;  // 'a' appears twice
  assign sum2 = a + c;      // 'a' appears again
  assign result = sum1 + sum2;  // Final sum includes 'a' three times total
endmodule
