// Round-robin arbiter for four requesters.
module rr_arbiter (input clk, input rst, input [3:0] req, output reg [3:0] gnt);
  reg [1:0] last;
  integer k;
  reg [2:0] idx;
  always @(posedge clk) begin
    if (rst) begin
      gnt <= 4'b0;
      last <= 2'd3;
    end else begin
      gnt <= 4'b0;
      for (k = 4; k >= 1; k = k - 1) begin
        idx = last + k;
        if (req[idx[1:0]]) begin
          gnt <= 4'b0001 << idx[1:0];
        end
      end
      if (|req) last <= last + 1'b1;
    end
  end
endmodule
