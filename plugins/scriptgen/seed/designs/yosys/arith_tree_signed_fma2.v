module signed_mul(
	input signed [3:0] a, b,
	output signed [7:0] y
);
	assign y = a * b;
endmodule
