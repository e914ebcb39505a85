module top (input clk, input a, output o, p);
    reg r;
    always @(posedge clk) begin
        r <= a;
    end
    assign o = ~r;
    assign p = ~a;
endmodule
