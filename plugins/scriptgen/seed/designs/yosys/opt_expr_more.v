module test(input a, output [7:0] y);
assign y = a * 0;
endmodule
