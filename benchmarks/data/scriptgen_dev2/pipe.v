// Three-stage delay line with an asynchronous active-low reset.
module delay_line (
    input  wire       clk,
    input  wire       rst_n,
    input  wire [1:0] din,
    output wire [1:0] dout
);
    reg [1:0] s0, s1, s2;
    always @(posedge clk or negedge rst_n)
        if (!rst_n) begin
            s0 <= 2'b00; s1 <= 2'b00; s2 <= 2'b00;
        end else begin
            s0 <= din; s1 <= s0; s2 <= s1;
        end
    assign dout = s2;
endmodule
