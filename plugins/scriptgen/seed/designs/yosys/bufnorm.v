module top(output wire [7:0] y);
assign y = 27;
endmodule
