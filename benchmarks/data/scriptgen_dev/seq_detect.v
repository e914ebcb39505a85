// Mealy detector of the serial pattern 1011 (overlapping).
module seq_detect (input clk, input rst, input bit_in, output reg found);
  parameter S0 = 3'd0, S1 = 3'd1, S10 = 3'd2, S101 = 3'd3;
  reg [2:0] st;
  always @(posedge clk) begin
    if (rst) begin
      st <= S0;
      found <= 1'b0;
    end else begin
      found <= 1'b0;
      case (st)
        S0:   st <= bit_in ? S1 : S0;
        S1:   st <= bit_in ? S1 : S10;
        S10:  st <= bit_in ? S101 : S0;
        S101: begin
          if (bit_in) begin
            found <= 1'b1;
            st <= S1;
          end else st <= S10;
        end
        default: st <= S0;
      endcase
    end
  end
endmodule
