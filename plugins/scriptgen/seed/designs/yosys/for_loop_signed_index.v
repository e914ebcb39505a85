module signed_index(input signed a, output reg y);
  reg signed i;

  always @*
    for (i = 1'h0; i < 1'h1; i = i + 1'h1)
      y = a <= i;
endmodule
