module top(
	input [1:0] a,
	input [2:0] b,
	output [2:0] y,
	input [2:0] a2,
	input [3:0] b2,
	output [3:0] y2,
 	input [1:0] a3,
 	input [2:0] b3,
 	output [2:0] y3
);
	assign y = a | (*keep*) b;
	assign y2 = a2 | (*keep*) b2;
	assign y3 = a3 | (*keep*) b3;
endmodule
