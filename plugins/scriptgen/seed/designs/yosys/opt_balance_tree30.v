module top(input a, input c, output b);
  wire w;
  assign w = a | b;
  assign b = w | c;
endmodule
