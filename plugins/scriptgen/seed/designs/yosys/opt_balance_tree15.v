module top (
  input wire [3:0] a, b, c,
  input wire [1:0] shift_amt,
  output wire [5:0] result
);
  wire [4:0] shifted_a;
  assign shifted_a = a << shift_amt;
  assign result = shifted_a + b + c;
endmodule
