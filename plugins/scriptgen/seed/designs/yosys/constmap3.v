module test();
  wire [31:0] in;
  wire [31:0] out1;
  wire [31:0] out2;
  assign out1 = in + 16;
  assign out2 = in + 32;
endmodule
