module t1(input a, b, c, output reg y);
    always @(*) begin : blk
        automatic reg tmp;
        tmp = a ^ b;
        if (c) tmp = tmp & a;
        y = tmp;
    end
    // equivalent to: y = c ? ((a^b)&a) : (a^b)
    assert property (y === (c ? ((a ^ b) & a) : (a ^ b)));
endmodule
