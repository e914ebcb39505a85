module mod_and_or (
    input a, b, c, d,
    output reg y
);

assign y = (a&b)|(c&d);
endmodule
