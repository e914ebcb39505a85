module top (input clk, input [3:0] a, output reg [3:0] o);
    always @(posedge clk) begin
        o <= ~a | o;
    end
endmodule
