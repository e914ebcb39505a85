module ref(input wire [14:0] a, output wire [31:0] b);
assign b = 1 << (a+2);
endmodule
