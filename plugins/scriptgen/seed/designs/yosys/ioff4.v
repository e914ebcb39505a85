module top (input clk, input a, output o);
    reg r;
    always @(posedge clk) begin
        r <= a;
    end
    assign o = ~r;
endmodule
