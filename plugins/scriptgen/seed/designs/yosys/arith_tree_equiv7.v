module equiv_sub_3op(
	input [3:0] a, b, c,
	output [3:0] y
);
	assign y = a - b + c;
endmodule
