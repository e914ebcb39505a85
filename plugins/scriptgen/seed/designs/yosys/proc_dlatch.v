module top(input g, rn, d, output reg q);
	always @* if (~rn) q <= 0; else if (g) q <= d;
	always @* begin
		if      (~rn) assert(q == 0);
		else if (g)   assert(q == d);
	end
endmodule
