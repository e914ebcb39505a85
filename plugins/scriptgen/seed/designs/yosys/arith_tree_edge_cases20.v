module macc_mixed_sign(
	input signed [7:0] a,
	input [7:0] b,
	input signed [7:0] c,
	output signed [9:0] y
);
	assign y = a + b + c;
endmodule
