// Output register bank with a write strobe; a leaf of soc_top.
module gpio (
    input  wire       clk,
    input  wire       rst,
    input  wire       we,
    input  wire [7:0] wdata,
    output reg  [7:0] pins
);
  always @(posedge clk or posedge rst) begin
    if (rst) pins <= 8'd0;
    else if (we) pins <= wdata;
  end
endmodule
