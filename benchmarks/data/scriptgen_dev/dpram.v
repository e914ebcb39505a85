// Simple dual-port RAM: 32 words of 8 bits, write port A, registered read port B.
module dpram (
  input clk,
  input wr, input [4:0] wa, input [7:0] wd,
  input [4:0] ra, output reg [7:0] rd
);
  reg [7:0] ram [31:0];
  always @(posedge clk) begin
    if (wr) ram[wa] <= wd;
    rd <= ram[ra];
  end
endmodule
