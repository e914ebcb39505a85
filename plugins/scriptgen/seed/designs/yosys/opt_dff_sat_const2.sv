module test_case (
	input wire clk,
	input wire [3:0] a,
	output reg [3:0] q
);
	initial q = 4'b0000;
	always @(posedge clk)
		q <= {q[3] & a[0], a[1], q[1] & a[2], a[3]};
endmodule
