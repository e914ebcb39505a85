module pre_post_adder(
	input signed[5:0] in_A,
	input signed [4:0] in_B,
	input signed [11:0] in_C,
	input signed [4:0] in_D,
	output signed [12:0] out_Y
);
assign out_Y = ((in_D + in_B)*in_A)+in_C;
endmodule
