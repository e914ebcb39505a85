// Garage door controller: four states, one-button interface.
module door_fsm (
    input  wire clk,
    input  wire rst,
    input  wire button,
    input  wire at_top,
    input  wire at_bottom,
    output wire motor_up,
    output wire motor_down
);
    localparam CLOSED = 2'd0, OPENING = 2'd1, OPEN = 2'd2, CLOSING = 2'd3;
    reg [1:0] state;
    always @(posedge clk)
        if (rst) state <= CLOSED;
        else case (state)
            CLOSED:  if (button) state <= OPENING;
            OPENING: if (at_top) state <= OPEN;
            OPEN:    if (button) state <= CLOSING;
            CLOSING: if (at_bottom) state <= CLOSED; else if (button) state <= OPENING;
        endcase
    assign motor_up = (state == OPENING);
    assign motor_down = (state == CLOSING);
endmodule
