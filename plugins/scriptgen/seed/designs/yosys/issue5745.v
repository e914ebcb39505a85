module mod #(parameter p2=11) (output k);
  wire signed [8:0] m = -32;
  assign k = m < p2;
endmodule
