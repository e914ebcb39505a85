module top (input clk, input rst, input a, output reg o);
    always @(posedge clk) begin
        if (rst)
            o <= 1'b0;
        else
            o <= a;
    end
endmodule
