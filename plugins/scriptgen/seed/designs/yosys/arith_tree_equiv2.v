module equiv_add4(
	input [3:0] a, b, c, d,
	output [3:0] y
);
	assign y = a + b + c + d;
endmodule
