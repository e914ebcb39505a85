module top (
  input wire [7:0] data_in,
  input wire [1:0] a, b, c,
  output wire [4:0] result
);
  wire [1:0] low_bits;
  wire [2:0] mid_bits;
  wire [1:0] high_bits;

  assign low_bits = data_in[1:0];
  assign mid_bits = data_in[4:2];
  assign high_bits = data_in[7:6];

  assign result = {1'b0, low_bits} + {1'b0, mid_bits} + {3'b0, high_bits} + {2'b0, a} + {2'b0, b} + {2'b0, c};
endmodule
