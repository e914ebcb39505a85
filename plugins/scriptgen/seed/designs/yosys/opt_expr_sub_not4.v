module test(input [3:0] b, output [3:0] y);
$sub #(
	.A_WIDTH(2), .B_WIDTH(4), .Y_WIDTH(4),
	.A_SIGNED(0), .B_SIGNED(0),
) sub (
	.A(2'b11), .B(b), .Y(y),
);
endmodule
