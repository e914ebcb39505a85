module top(input a, input [7:0] v, output b, output x);
  assign b = a | b;
  assign x = v[0] | v[1] | v[2] | v[3] | v[4] | v[5] | v[6] | v[7];
endmodule
