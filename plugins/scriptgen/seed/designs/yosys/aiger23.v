module submodule1(a, y1, y2);
	input wire [2:0] a;
	output wire [2:0] y1 = a + 1;
	output wire [2:0] y2 = a + 2;
endmodule

module submodule2(a, y1);
	input wire [2:0] a;
	output wire [2:0] y1 = ~a;
endmodule

module test(a, y1, y2);
	input wire [2:0] a;
	output wire [2:0] y1;
	output wire [2:0] y2;

	wire [2:0] m1;
	wire [2:0] m2;

	submodule2 s1(.a(a), .y1(m1));
	submodule1 s2(.a(m1), .y1(y1), .y2(m2));
	submodule2 s3(.a(m2), .y1(y2));
endmodule
