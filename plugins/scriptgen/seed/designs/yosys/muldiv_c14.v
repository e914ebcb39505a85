module top(
	input [3:0] a,
	output [7:0] y,
);
    wire [6:0] mul;
	assign mul = a * 4'd8;
	assign y = mul / 8'd2;
endmodule
