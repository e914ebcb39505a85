module gate(input [2:0] a, input [1:0] b, input [1:0] c, output [3:0] y);
  assign y = a * b - c;
endmodule
