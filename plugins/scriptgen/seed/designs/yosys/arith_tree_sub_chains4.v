module sub_5op(
	input [11:0] a, b, c, d, e,
	output [11:0] y
);
	assign y = a - b + c - d + e;
endmodule
