module top (input A, B, C, D, E, F, output reg W, X, Y, Z);
	always_comb begin
		W = F;
		priority if (C == A)
			W = D;
		else if (C == B)
			W = E;
	end

	always_comb begin
		X = F;
		if (C == A)
			X = D;
		else if (C == B)
			X = E;
	end

	always_comb begin
		Y = F;
		unique if (C == A)
			Y = D;
		else if (C == B)
			Y = E;
	end

	always_comb begin
		Z = F;
		unique0 if (C == A)
			Z = D;
		else if (C == B)
			Z = E;
	end
endmodule
