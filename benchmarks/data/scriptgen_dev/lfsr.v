module lfsr16 (input clk, input rst_n, input step, output [15:0] value);
  reg [15:0] r;
  wire fb = r[15] ^ r[13] ^ r[12] ^ r[10];
  always @(posedge clk or negedge rst_n)
    if (!rst_n) r <= 16'hACE1;
    else if (step) r <= {r[14:0], fb};
  assign value = r;
endmodule
