module top (input A, B, C, D, E, F, output reg W, X, Y, Z);
	always_comb begin
		W = F;
		priority case (C)
			A: W = D;
			B: W = E;
		endcase
	end

	always_comb begin
		X = F;
		case (C)
			A: X = D;
			B: X = E;
		endcase
	end

	always_comb begin
		Y = F;
		unique case (C)
			A: Y = D;
			B: Y = E;
		endcase
	end

	always_comb begin
		Z = F;
		unique0 case (C)
			A: Z = D;
			B: Z = E;
		endcase
	end
endmodule
