module equiv_macc_add8(
	input [3:0] a, b, c, d, e, f, g, h,
	output [3:0] y
);
	assign y = a + b + c + d + e + f + g + h;
endmodule
