module cas(
	input signed [5:0] in_A,
	input signed [4:0] in_B,
	input signed [4:0] in_D,
	input signed [4:0] casA,
	input signed [4:0] casB,
	output signed [11:0] out_P
);
	wire signed [9:0] cascade;
	assign cascade = casA * casB;
	assign out_P = in_A * (in_B + in_D) + cascade;
endmodule
