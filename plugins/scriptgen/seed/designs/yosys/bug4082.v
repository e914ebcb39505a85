module top;
  wire a;
  wire b;
  assign a = b;
endmodule
