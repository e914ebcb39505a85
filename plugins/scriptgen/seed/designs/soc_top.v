// Small SoC top: a timer whose tick toggles a gpio bank (timer.v, gpio.v).
module soc_top (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] reload,
    output wire [7:0] leds
);
  wire tick;
  reg  [7:0] pattern;
  timer u_timer (.clk(clk), .rst(rst), .reload(reload), .tick(tick));
  always @(posedge clk or posedge rst) begin
    if (rst) pattern <= 8'h01;
    else if (tick) pattern <= {pattern[6:0], pattern[7]};
  end
  gpio u_gpio (.clk(clk), .rst(rst), .we(tick), .wdata(pattern), .pins(leds));
endmodule
