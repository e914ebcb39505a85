module six_op_42(
	input [3:0] a, b, c, d, e, f,
	output [3:0] y
);
	assign y = a + b + c + d + e + f;
endmodule
