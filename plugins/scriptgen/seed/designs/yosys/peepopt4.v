module peepopt_shiftmul_3 (input [7:0] D, input [0:0] S, output [3:0] Y);
	assign Y = D >> (S*5);
endmodule
