module test_case (
	input wire clk,
	input wire rst,
	input wire en,
	input wire [3:0] a,
	output reg q0,
	output reg q1
);
	initial q0 = 1'b0;
	initial q1 = 1'b1;
	always @(posedge clk) begin
		if (rst) begin
			q0 <= 1'b0;
			q1 <= 1'b0;
		end else begin
			q0 <= q0 & en;
			q1 <= (a > 4'd10) & (a < 4'd3);
		end
	end
endmodule
