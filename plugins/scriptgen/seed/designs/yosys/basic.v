module gate(input signed [2:0] a1, input signed [2:0] b1,
			input [1:0] a2, input [3:0] b2, input c, input d, output signed [3:0] y);
  wire signed [3:0] ab1;
  assign ab1 = a1 * b1;
  assign y = ab1 + a2*b2 + c + d + 1;
endmodule
