module test_case (
	input wire clk,
	input wire load,
	input wire en,
	input wire [3:0] a,
	output reg q0,
	output reg q1
);
	initial q0 = 1'b0;
	initial q1 = 1'b0;
	always @(posedge clk or posedge load)
		if (load) q0 <= (a > 4'd10) & (a < 4'd3);
		else q0 <= q0 & en;
	always @(posedge clk or posedge load)
		if (load) q1 <= a[0];
		else q1 <= q1 & en;
endmodule
