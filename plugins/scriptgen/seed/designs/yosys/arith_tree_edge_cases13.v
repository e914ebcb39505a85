module macc_mul(
	input [7:0] a, b, c,
	output [15:0] y
);
	assign y = a * b + c;
endmodule
