module top (input clk, input en, input a, output reg o);
    always @(posedge clk) begin
        if (en)
            o <= a;
    end
endmodule
