module test(input a, output y);
assign y = ~^a; // XNOR reduction of a single bit
endmodule
