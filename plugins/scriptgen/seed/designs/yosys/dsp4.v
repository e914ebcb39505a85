module mac(
	input clk,
	input signed [4:0] in_A,
	input signed [4:0] in_B,
	input signed [4:0] in_D,
	input srst_P,
	output reg signed [11:0] out_P
);
	always@(posedge clk) begin
		if (~srst_P) begin
			out_P <= 12'h000;
		end else begin
			out_P <= in_A * (in_B + in_D) + out_P;
		end
	end
endmodule
