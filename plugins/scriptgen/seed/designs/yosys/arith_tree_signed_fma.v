module signed_mac(
	input signed [3:0] a, b,
	input signed [7:0] c,
	output signed [7:0] y
);
	assign y = a * b + c;
endmodule
