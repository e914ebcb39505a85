module test;
    wire a;
    wire b;
endmodule
