module top(input wire [2:0] a, output wire [2:0] y);
	\$buf #(.WIDTH(3)) b(.A(a), .Y(y));
endmodule
