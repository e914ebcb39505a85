module bufgate(A, Y);
	input wire A;
	output wire Y = A;
endmodule

module reducegate(A, B, C, X, Y);
	input wire A;
	input wire B;
	input wire C;
	output wire X = &{A, B, C};
	output wire Y = |{A, B, C};
endmodule

module fagate(A, B, C, X, Y);
	input wire A;
	input wire B;
	input wire C;
	wire t1 = A ^ B;
	wire t2 = A & B;
	wire t3 = C & t1;
	output wire X = t1 ^ C;
	output wire Y = t2 | t3;
endmodule
