module gold(input g, rn, d, zero, output reg q);
	always @* if (~rn | g) q <= (~rn ? zero : d);
	always @* assume(zero == 1'b0);
endmodule
module gate(input g, rn, d, zero, output reg q);
	always @* if (~rn) q <= 1'b0; else if (g) q <= d;
endmodule
