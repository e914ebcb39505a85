module reduce(
	input [7:0] data,
	output Y
);
	assign Y = ^data;
endmodule
