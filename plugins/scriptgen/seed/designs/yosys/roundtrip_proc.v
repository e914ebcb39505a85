module top(a, b, c, out);
	input wire a, b, c;
	output reg [3:0] out;
	always @(*) begin
		casez ({c, b, a})
			3'b??1: begin
				out = 0;
			end
			3'b?1?: begin
				out = 1;
			end
			3'b1??: begin
				out = 2;
			end
			default: begin
				out = 3;
			end
		endcase
	end
endmodule
