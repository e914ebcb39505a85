module test(clk, a, b, y);
	input wire clk;
	input wire [9:0] a;
	input wire [6:0] b;
	output wire [20:0] y;

	assign y = a * b;
endmodule
