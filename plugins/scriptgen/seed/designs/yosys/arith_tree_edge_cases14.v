module macc_mul_nofma(
	input [7:0] a, b, c,
	output [15:0] y
);
	assign y = a * b + c;
endmodule
