module top(
	input clk,
	input en,
	input rst,
	input D,
	output reg Q
);
always @(posedge clk, negedge rst) begin
	if (rst == 0) begin
		Q <= 1;
	end else if(en) begin
		Q <= D;
	end
end
endmodule
