module t2(input [3:0] a, b, input sel, output reg [3:0] y, output reg co);
    always_comb begin : blk
        automatic reg [4:0] sum;
        automatic reg [3:0] pick;
        sum  = {1'b0, a} + {1'b0, b};
        pick = sel ? sum[3:0] : (a & b);
        y  = pick;
        co = sum[4];
    end
    assert property (y  === (sel ? ((a + b) & 4'hf) : (a & b)));
    assert property (co === (((5'(a) + 5'(b)) >> 4) & 1'b1));
endmodule
