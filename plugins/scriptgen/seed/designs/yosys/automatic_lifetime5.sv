module t5(input en, d, output reg q);
    always @(*) begin : blk
        automatic reg tmp;
        if (en) tmp = d;
        // tmp is X when en==0: automatic means no state retention
        q = tmp;
    end
endmodule
