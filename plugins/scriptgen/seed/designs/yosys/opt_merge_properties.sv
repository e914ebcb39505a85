module top ();
    always_comb begin
        label1: cover(0);
        label2: cover(0);
    end
endmodule
