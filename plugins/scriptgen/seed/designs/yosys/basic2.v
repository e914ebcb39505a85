module gate(input signed [2:0] a1, input signed [1:0] b1, output signed [3:0] y);
  assign y = a1 * b1;
endmodule
