module top(clk, y, sideread_addr, sideread_data);
	input wire clk;

	reg [7:0] mem [255:0];
	reg [8:0] i;
	initial begin
		for (i = 0; i < 256; i = i + 1)
			mem[i] = i * 371;
	end

	output reg [7:0] y = 1;
	always @(posedge clk)
		y <= mem[y];

	input wire [7:0] sideread_addr;
	output wire [7:0] sideread_data;
	assign sideread_data = mem[sideread_addr];
endmodule
