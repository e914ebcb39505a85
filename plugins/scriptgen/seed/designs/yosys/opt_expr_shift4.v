module top (
	input  wire        [3:0]  in,
	output wire        [7:0]  shl,
	output wire        [7:0]  shr,
	output wire        [7:0] sshl,
	output wire        [7:0] sshr,
	output wire        [7:0] shiftx,

	output wire        [7:0]  shl_s,
	output wire        [7:0]  shr_s,
	output wire        [7:0] sshl_s,
	output wire        [7:0] sshr_s,
	output wire        [7:0] shiftx_s,
);
	assign  shl = in << 32'hffffffff;
	assign  shr = in >> 32'hffffffff;
	assign sshl = in <<< 32'hffffffff;
	assign sshr = in >>> 32'hffffffff;
	assign shiftx = in[32'hffffffff +: 8];

	wire signed [31:0] shamt = 32'hffffffff;
	assign  shl_s = in << shamt;
	assign  shr_s = in >> shamt;
	assign sshl_s = in <<< shamt;
	assign sshr_s = in >>> shamt;
	assign shiftx_s = in[shamt +: 8];
endmodule
