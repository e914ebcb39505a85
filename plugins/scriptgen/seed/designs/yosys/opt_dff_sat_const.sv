module test_case (
	input wire clk,
	input wire en,
	output reg q0,
	output reg q1,
	output reg q2
);
	initial q0 = 1'b0;
	initial q1 = 1'b1;
	initial q2 = 1'b0;
	always @(posedge clk) begin
		q0 <= q0 & en;
		q1 <= q1 | en;
		q2 <= q2 | en;
	end
endmodule
