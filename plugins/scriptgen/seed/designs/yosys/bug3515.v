module and_x3 (
    input a, b, c, d,
    output reg y
);

assign y = (a&b)&(c&d);
endmodule
