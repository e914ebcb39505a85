module top (input clk, input en, input [3:0] a, output reg [3:0] o);
    always @(posedge clk) begin
        if (en)
            o <= a;
    end
endmodule
