module test(input sel, input [0:1] data, output out);
assign out = data[sel];
endmodule
