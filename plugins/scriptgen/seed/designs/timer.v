// Programmable down-counting timer that raises a one-cycle tick at zero; a leaf of soc_top.
module timer (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] reload,
    output reg        tick
);
  reg [7:0] value;
  always @(posedge clk or posedge rst) begin
    if (rst) begin
      value <= 8'd0;
      tick  <= 1'b0;
    end else if (value == 8'd0) begin
      value <= reload;
      tick  <= 1'b1;
    end else begin
      value <= value - 8'd1;
      tick  <= 1'b0;
    end
  end
endmodule
