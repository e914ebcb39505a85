// 6-bit up counter with enable, synchronous clear and a wrap flag.
module tally_ctr (
    input  wire       clk,
    input  wire       clr,
    input  wire       en,
    output reg  [5:0] count,
    output wire       wrap
);
    always @(posedge clk)
        if (clr) count <= 6'd0;
        else if (en) count <= count + 6'd1;
    assign wrap = en & (count == 6'h3f);
endmodule
