module t4(input [7:0] a, b, input sub, output reg [7:0] y);
    always @(*) begin : arith
        automatic integer acc;
        if (sub)
            acc = $signed(a) - $signed(b);
        else
            acc = $signed(a) + $signed(b);
        y = acc[7:0];
    end
    assert property (y === (sub ? (a - b) : (a + b)));
endmodule
