module top(a, b, y);
	parameter awidth = 6;
	parameter bwidth = 8;
	parameter ywidth = 14;

	input [awidth-1:0] a;
	input [bwidth-1:0] b;
	output [ywidth-1:0] y;

	wire [ywidth-1:0] aext = {{(ywidth-awidth){a[awidth-1]}}, a};
	wire [ywidth-1:0] bext = {{(ywidth-bwidth){b[bwidth-1]}}, b};

	assign y = aext*bext;
endmodule
