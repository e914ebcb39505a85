module macc_mul_survives_nofma(
	input [7:0] a, b, c, d,
	output [15:0] y
);
	assign y = a * b + c + d;
endmodule
