module peepopt_formal_clockgateff_0(
	input  logic clk_i,
	input  logic ena_i,
	input  logic enb_i,
	output logic clk_o
);

logic en_latched;

always_latch
	if (!clk_i)
		en_latched <= ena_i | enb_i;

assign clk_o = en_latched & clk_i;

endmodule
