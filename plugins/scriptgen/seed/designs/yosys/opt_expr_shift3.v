module top (
	input  wire        [3:0]  in,
	output wire        [7:0]  shl,
	output wire        [7:0]  shr,
	output wire        [7:0] sshl,
	output wire        [7:0] sshr,
);
	assign  shl = in << 33'h0ffffffff;
	assign  shr = in >> 33'h0ffffffff;
	assign sshl = in <<< 33'h0ffffffff;
	assign sshr = in >>> 33'h0ffffffff;
endmodule
