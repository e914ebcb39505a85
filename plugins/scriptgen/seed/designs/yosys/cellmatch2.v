module ripple_carry(A, B, Y);
	parameter WIDTH = 4;

	input wire [WIDTH-1:0] A;
	input wire [WIDTH-1:0] B;
	output wire [WIDTH-1:0] Y;

	wire [WIDTH:0] carry;
	assign carry[0] = 0;

	generate
		genvar i;

		for (i = 0; i < WIDTH; i = i + 1) begin
			FA fa(
				.A(A[i]),
				.B(B[i]), .Y(Y[i]),
				.CI(carry[i]), .CO(carry[i + 1]),
			);
		end
	endgenerate
endmodule

(* gate *)
module FA(A, B, CI, CO, Y);
	input wire A, B, CI;
	output wire CO, Y;
	assign {CO, Y} = A + B + CI;
endmodule
