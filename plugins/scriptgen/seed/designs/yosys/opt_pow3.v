module top(input wire [14:0] a, output wire [31:0] b);
assign b = 128**(a+2);
endmodule
