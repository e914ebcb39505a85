module thing(input [2:0] in, output reg [2:0] out);
    assign out = in;
endmodule
