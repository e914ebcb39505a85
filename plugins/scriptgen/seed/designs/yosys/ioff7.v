module top (input clk, input a, output reg o);
    always @(posedge clk) begin
        o <= ~a | o;
    end
endmodule
