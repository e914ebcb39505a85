module test(output [7:0] y1);
assign y1 = 7'b1 == 7'b1;
endmodule
