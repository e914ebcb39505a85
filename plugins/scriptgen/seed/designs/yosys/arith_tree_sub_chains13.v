module macc_two(
	input [7:0] a, b, c, d, e, f, g, h,
	output [7:0] y1, y2
);
	assign y1 = a + b + c + d;
	assign y2 = e + f + g + h;
endmodule
