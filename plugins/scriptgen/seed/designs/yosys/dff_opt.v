module dff_opt(
	input clk,
	input [1:0] D_comb,
	input [1:0] EN_comb,
	input [1:0] RST_comb,
	output bar
);
reg foo;
assign bar = foo;
always@(posedge clk) begin
	if (&RST_comb) begin
		foo <= 0;
	end else begin
		foo <= &D_comb;
	end
end
endmodule
