module top(input g, sn, rn, d, output reg q);
	always @* if (~rn) q <= 0; else if (~sn) q <= 1; else if (g) q <= d;
	always @* begin
		if      (~rn) assert(q == 0);
		else if (~sn) assert(q == 1);
		else if (g)   assert(q == d);
	end
endmodule
