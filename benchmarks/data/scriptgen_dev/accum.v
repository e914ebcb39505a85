module accum (input clk, input clr, input en, input [15:0] inc, output reg [19:0] sum);
  always @(posedge clk)
    if (clr) sum <= 20'd0;
    else if (en) sum <= sum + inc;
endmodule
