module signed_mult(
	input signed [17:0] in_A,
	input signed [17:0] in_B,
	output signed [35:0] out_Y
);
assign out_Y = in_A * in_B;
endmodule
