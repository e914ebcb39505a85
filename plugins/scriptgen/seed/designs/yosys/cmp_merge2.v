module top(input signed a, b, output x, output [1:0] y);
assign y = $unsigned(a) - $unsigned(b);
assign x = a > b;
endmodule
