module signed_index_after_step(input signed a, output reg y);
  reg signed [1:0] i;

  always @* begin
    y = 1'b0;
    for (i = -2'sd1; i < 2'sd1; i = i + 1'h1)
      y = a <= i;
  end
endmodule
