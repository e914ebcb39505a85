(* techmap_celltype="foo" *)
module _80_lcu_primitive(P, G, CI, CO);
	parameter WIDTH = 10;

	(* force_downto *)
	input wire [WIDTH-1:0] P;
	(* force_downto *)
	input wire [WIDTH-1:0] G;
	input wire CI;
	(* force_downto *)
	output wire [WIDTH-1:0] CO;

	(* techmap_chtype=$sformatf("LCU_%0d", WIDTH) *)
	_TECHMAP_PLACEHOLDER_ #(.WIDTH(WIDTH)) _TECHMAP_REPLACE_(.P(P), .G(G), .CI(CI), .CO(CO));
endmodule
