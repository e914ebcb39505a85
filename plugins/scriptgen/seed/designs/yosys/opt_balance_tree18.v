module top (
  input wire [2:0] a, b, c, d,
  output wire [4:0] out1,
  output wire [4:0] out2
);
  wire [3:0] sum1, sum2;

  assign sum1 = a + b;
  assign sum2 = c + d;
  assign out1 = sum1 + sum2;
  assign out2 = sum1 + c;  // Reconvergence: sum1 used again
endmodule
