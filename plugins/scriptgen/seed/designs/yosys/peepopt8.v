module peepopt_shiftpow2_narrow (input [31:0] D, input [2:0] S, output [3:0] Y);
	assign Y = D >> (S*8);
endmodule
