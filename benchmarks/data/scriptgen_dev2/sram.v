// 16 words of 8 bits, synchronous write, registered read.
module scratch_ram (
    input  wire       clk,
    input  wire       we,
    input  wire [3:0] waddr,
    input  wire [3:0] raddr,
    input  wire [7:0] wdata,
    output reg  [7:0] rdata
);
    reg [7:0] cells [0:15];
    always @(posedge clk) begin
        if (we) cells[waddr] <= wdata;
        rdata <= cells[raddr];
    end
endmodule
