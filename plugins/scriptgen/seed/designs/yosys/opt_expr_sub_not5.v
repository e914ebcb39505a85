module test(input [1:0] sel, input [0:3] data, output out);
assign out = data[sel];
endmodule
