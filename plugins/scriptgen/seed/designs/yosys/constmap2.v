module const_cell(O);
parameter value=0;
output O;
endmodule
