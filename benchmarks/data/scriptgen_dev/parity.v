// Even/odd parity over a WIDTH-bit word.
module parity_unit #(parameter WIDTH = 8) (
  input  [WIDTH-1:0] data,
  input              odd,
  output             parity
);
  assign parity = (^data) ^ odd;
endmodule
