module peepopt_shiftpow2_signed_shr (input signed [3:0] D, input S, output [7:0] Y);
	assign Y = D >> (S*8);
endmodule
