// Traffic-light controller: a Moore FSM with a small timer.
module traffic_light (
    input  wire       clk,
    input  wire       rst_n,
    input  wire       car_waiting,
    output reg  [2:0] lights  // {red, yellow, green}
);
  localparam GREEN = 2'd0, YELLOW = 2'd1, RED = 2'd2, RED_WAIT = 2'd3;
  (* fsm_encoding = "auto" *) reg [1:0] state;
  reg [1:0] next_state;
  reg [3:0] timer;

  always @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      state <= RED;
      timer <= 4'd0;
    end else begin
      state <= next_state;
      timer <= (state != next_state) ? 4'd0 : timer + 4'd1;
    end
  end

  always @(*) begin
    next_state = state;
    case (state)
      GREEN:    if (car_waiting && timer > 4'd5) next_state = YELLOW;
      YELLOW:   if (timer == 4'd2) next_state = RED;
      RED:      if (timer == 4'd7) next_state = RED_WAIT;
      RED_WAIT: next_state = GREEN;
    endcase
  end

  always @(*) begin
    case (state)
      GREEN:   lights = 3'b001;
      YELLOW:  lights = 3'b010;
      default: lights = 3'b100;
    endcase
  end
endmodule
