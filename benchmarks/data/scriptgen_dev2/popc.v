// Number of ones in an 8-bit word (combinational).
module popcount8 (
    input  wire [7:0] bits,
    output wire [3:0] ones
);
    assign ones = bits[0] + bits[1] + bits[2] + bits[3] + bits[4] + bits[5] + bits[6] + bits[7];
endmodule
