module trunc_narrow_no_fold(
	input [7:0] a, b, c,
	output [8:0] y
);
	wire [7:0] t = a + b;
	assign y = t + c;
endmodule
