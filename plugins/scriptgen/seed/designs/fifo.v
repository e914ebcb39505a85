// Synchronous FIFO, 16 entries of 8 bits, with full and empty flags.
module fifo (
    input  wire       clk,
    input  wire       rst,
    input  wire       wr_en,
    input  wire       rd_en,
    input  wire [7:0] din,
    output reg  [7:0] dout,
    output wire       full,
    output wire       empty
);
  reg [7:0] mem [0:15];
  reg [4:0] wr_ptr, rd_ptr;

  assign empty = (wr_ptr == rd_ptr);
  assign full  = (wr_ptr[3:0] == rd_ptr[3:0]) && (wr_ptr[4] != rd_ptr[4]);

  always @(posedge clk) begin
    if (rst) begin
      wr_ptr <= 5'd0;
      rd_ptr <= 5'd0;
    end else begin
      if (wr_en && !full) begin
        mem[wr_ptr[3:0]] <= din;
        wr_ptr <= wr_ptr + 5'd1;
      end
      if (rd_en && !empty) begin
        dout <= mem[rd_ptr[3:0]];
        rd_ptr <= rd_ptr + 5'd1;
      end
    end
  end
endmodule
