module top(input gn, rn, d, output reg q);
	always @* if (rn==0) q <= 0; else if (gn==0) q <= d;
	always @* begin
		if      (rn==0)  assert(q == 0);
		else if (gn==0)  assert(q == d);
	end
endmodule
