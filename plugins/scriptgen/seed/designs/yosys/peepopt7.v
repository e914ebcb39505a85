module peepopt_shiftpow2_1 (input [63:0] D, input [2:0] S, output [7:0] Y);
	assign Y = D >> (S*8);
endmodule
