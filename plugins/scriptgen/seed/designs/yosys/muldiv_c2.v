module top (
  input wire signed [11:0] a,
  output wire signed [31:0] y,
  output wire probe
);
   wire [28:0] tmp = (a * 16'd5140);
   assign probe = tmp[28];

  assign y = tmp[27:0] / (257 * 2);
endmodule
