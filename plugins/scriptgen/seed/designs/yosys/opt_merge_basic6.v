module top(A, B, X, Y);
input [7:0] A, B;
output X, Y;
  \$reduce_xor  #(
    .A_SIGNED(32'd0),
    .A_WIDTH(32'd24),
    .Y_WIDTH(32'd1),
  ) one  (
    .A({A, B, B}), // <- look here
    .Y(X)
  );
  \$reduce_xor  #(
    .A_SIGNED(32'd0),
    .A_WIDTH(32'd24),
    .Y_WIDTH(32'd1),
  ) other  (
    .A({A, A, B}), // <- look here
    .Y(Y)
  );
endmodule
