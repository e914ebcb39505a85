module equiv_double_neg(
	input [3:0] a, b, c,
	output [4:0] y
);
	wire [3:0] ab = a - b;
	assign y = c - ab;
endmodule
