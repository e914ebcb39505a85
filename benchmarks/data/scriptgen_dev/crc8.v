// CRC-8 (polynomial x^8 + x^2 + x + 1), one input bit per clock.
module crc8 (input clk, input init, input valid, input din, output reg [7:0] crc);
  wire fb = crc[7] ^ din;
  always @(posedge clk)
    if (init) crc <= 8'h00;
    else if (valid) crc <= {crc[6:2], crc[1] ^ fb, crc[0] ^ fb, fb};
endmodule
