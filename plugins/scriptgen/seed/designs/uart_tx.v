// UART transmitter: 8 data bits, no parity, one stop bit; CLKS_PER_BIT clock cycles per bit.
module uart_tx #(parameter CLKS_PER_BIT = 8) (
    input  wire       clk,
    input  wire       rst,
    input  wire       start,
    input  wire [7:0] data,
    output reg        tx,
    output wire       busy
);
  localparam IDLE = 2'd0, START = 2'd1, DATA = 2'd2, STOP = 2'd3;
  (* fsm_encoding = "auto" *) reg [1:0] state;
  reg [3:0] clk_count;
  reg [2:0] bit_index;
  reg [7:0] shifter;

  assign busy = (state != IDLE);

  always @(posedge clk) begin
    if (rst) begin
      state <= IDLE;
      tx <= 1'b1;
      clk_count <= 4'd0;
      bit_index <= 3'd0;
    end else begin
      case (state)
        IDLE: begin
          tx <= 1'b1;
          if (start) begin
            shifter <= data;
            state <= START;
            clk_count <= 4'd0;
          end
        end
        START: begin
          tx <= 1'b0;
          if (clk_count == CLKS_PER_BIT - 1) begin
            clk_count <= 4'd0;
            state <= DATA;
          end else clk_count <= clk_count + 4'd1;
        end
        DATA: begin
          tx <= shifter[bit_index];
          if (clk_count == CLKS_PER_BIT - 1) begin
            clk_count <= 4'd0;
            if (bit_index == 3'd7) begin
              bit_index <= 3'd0;
              state <= STOP;
            end else bit_index <= bit_index + 3'd1;
          end else clk_count <= clk_count + 4'd1;
        end
        STOP: begin
          tx <= 1'b1;
          if (clk_count == CLKS_PER_BIT - 1) state <= IDLE;
          else clk_count <= clk_count + 4'd1;
        end
      endcase
    end
  end
endmodule
