module top (
  input wire  [11:0] a,
  output wire  [11:0] y
);
  assign y = (a * 16'd5140) / (257 * 2);
endmodule
