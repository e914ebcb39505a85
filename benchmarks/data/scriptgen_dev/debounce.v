// Button debouncer: the output follows the input after it was stable for 15 cycles.
module debounce (input clk, input btn, output reg clean);
  reg [3:0] stable;
  reg last;
  always @(posedge clk) begin
    last <= btn;
    if (btn != last) stable <= 4'd0;
    else if (stable != 4'hF) stable <= stable + 4'd1;
    else clean <= last;
  end
endmodule
