module top (input clk, input rst, input [3:0] a, output reg [3:0] o);
    always @(posedge clk) begin
        if (rst)
            o <= 4'b0;
        else
            o <= a;
    end
endmodule
