module top(a, b, c, out);
	input wire a, b, c;
	output reg [3:0] out;
	always @(*) begin
		out <= 0;
		if (a) begin
			if (b)
				out <= 1;
		end else begin
			if (c)
				out <= 2;
			else
				out <= 3;
		end
	end
endmodule
