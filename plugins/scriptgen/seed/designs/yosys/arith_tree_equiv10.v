module equiv_sub_signed(
	input signed [3:0] a, b, c, d,
	output signed [5:0] y
);
	assign y = a + b - c - d;
endmodule
