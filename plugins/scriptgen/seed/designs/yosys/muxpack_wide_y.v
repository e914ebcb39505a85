module top(input b, output [18:0] h);
  assign h = ~|b;
endmodule
