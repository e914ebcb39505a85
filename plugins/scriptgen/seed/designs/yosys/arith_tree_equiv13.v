module equiv_trunc_mixed(
	input [7:0] a, b, c, d,
	output [9:0] y
);
	wire [7:0] t = a + b;
	assign y = t + c + d;
endmodule
