module reduce_const(output wire o, output wire a);
    wire [3:0] zero = 4'b0000;
    wire [3:0] ones = 4'b1111;
    assign o = |zero;
    assign a = &ones;
endmodule
