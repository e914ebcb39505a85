module equiv_mixed(
	input [1:0] a,
	input [3:0] b,
	input [5:0] c,
	output [5:0] y
);
	assign y = a + b + c;
endmodule
