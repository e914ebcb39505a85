module default_narrow(
	input [14:0] a, b, c, d,
	output [14:0] y
);
	assign y = a + b + c + d;
endmodule
