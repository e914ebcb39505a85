module top (
  input wire a, b, c, d,
  input wire e, f, g, h,
  input wire k, l, m, n,
  output wire i, j,
  output wire x,
);

  assign i = a & b & c & d;
  assign j = e & f & g & h;

  assign x = i & j & k & l & m & n;
endmodule
