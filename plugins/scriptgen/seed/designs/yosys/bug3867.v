module test (input signed [4:0] i, output [5:0] o);
assign o = (i >= 0);
endmodule
