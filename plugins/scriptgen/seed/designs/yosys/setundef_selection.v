module test;
    wire a = 1'bx;
    wire b = 1'bx;
endmodule
