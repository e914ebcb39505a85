// Two-digit BCD counter 00..99.
module bcd_counter (input clk, input clr, input tick, output reg [3:0] ones, output reg [3:0] tens);
  always @(posedge clk) begin
    if (clr) begin
      ones <= 0;
      tens <= 0;
    end else if (tick) begin
      if (ones == 4'd9) begin
        ones <= 0;
        tens <= (tens == 4'd9) ? 4'd0 : tens + 4'd1;
      end else ones <= ones + 4'd1;
    end
  end
endmodule
