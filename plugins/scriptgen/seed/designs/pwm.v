// PWM generator: an 8-bit free-running counter compared against the duty cycle.
module pwm (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] duty,
    output reg        out
);
  reg [7:0] cnt;
  always @(posedge clk) begin
    if (rst) begin
      cnt <= 8'd0;
      out <= 1'b0;
    end else begin
      cnt <= cnt + 8'd1;
      out <= (cnt < duty);
    end
  end
endmodule
