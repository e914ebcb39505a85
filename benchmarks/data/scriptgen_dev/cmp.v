module mag_cmp (a, b, lt, eq, gt);
  input [5:0] a, b;
  output lt, eq, gt;
  assign lt = a < b;
  assign eq = a == b;
  assign gt = a > b;
endmodule
