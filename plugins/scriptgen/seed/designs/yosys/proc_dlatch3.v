module top(input g, sn, d, output reg q);
	always @* if (~sn) q <= 1; else if (g) q <= d;
	always @* begin
		if      (~sn) assert(q == 1);
		else if (g)   assert(q == d);
	end
endmodule
