module gold(input g, sn, d, one, output reg q);
	always @* if (~sn | g) q <= (~sn ? one : d);
	always @* assume(one == 1'b1);
endmodule
module gate(input g, sn, d, one, output reg q);
	always @* if (~sn) q <= 1'b1; else if (g) q <= d;
endmodule
