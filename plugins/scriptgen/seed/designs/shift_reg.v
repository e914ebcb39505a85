// 8-bit serial-in, parallel-out shift register with parallel load.
module shift_reg (
    input  wire       clk,
    input  wire       load,
    input  wire       shift,
    input  wire       serial_in,
    input  wire [7:0] parallel_in,
    output reg  [7:0] q
);
  always @(posedge clk) begin
    if (load) q <= parallel_in;
    else if (shift) q <= {q[6:0], serial_in};
  end
endmodule
