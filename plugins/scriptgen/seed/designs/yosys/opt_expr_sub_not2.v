module test(input [1:0] b, output [3:0] y);
$sub #(
	.A_WIDTH(4), .B_WIDTH(2), .Y_WIDTH(4),
	.A_SIGNED(0), .B_SIGNED(0),
) sub (
	.A(4'd3), .B(b), .Y(y),
);
endmodule
