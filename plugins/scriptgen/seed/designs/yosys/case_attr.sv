module top (input A, B, C, D, E, F, output reg W, X, Y, Z);
	always @* begin
		W = F;
		(* full_case *)
		case (C)
			A: W = D;
			B: W = E;
		endcase
	end

	always @* begin
		X = F;
		case (C)
			A: X = D;
			B: X = E;
		endcase
	end

	always @* begin
		Y = F;
		(* full_case, parallel_case *)
		case (C)
			A: Y = D;
			B: Y = E;
		endcase
	end

	always @* begin
		Z = F;
		(* parallel_case *)
		case (C)
			A: Z = D;
			B: Z = E;
		endcase
	end
endmodule
