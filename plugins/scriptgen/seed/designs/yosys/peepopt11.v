module peepopt_shiftpow2_overlap (input [31:0] D, input [1:0] S, output [7:0] Y);
	assign Y = D >> (S*4);
endmodule
