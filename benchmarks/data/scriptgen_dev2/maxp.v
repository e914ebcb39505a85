// The larger of two signed bytes, and which one it was.
module max_pick (
    input  wire signed [7:0] p,
    input  wire signed [7:0] q,
    output wire signed [7:0] hi,
    output wire              took_q
);
    assign took_q = q > p;
    assign hi = took_q ? q : p;
endmodule
