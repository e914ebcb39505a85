module peepopt_shiftpow2_signed (input signed [15:0] i, input [2:0] s, output [3:0] o);
	assign o = i[s*4 +: 4];
endmodule
