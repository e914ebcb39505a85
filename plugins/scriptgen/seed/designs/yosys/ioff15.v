module top (
    input clk,
    input en,
    input [3:0] a,
    output reg [3:0] o_1,
	output wire [3:0] o_2
);
always @(posedge clk) begin
    o_1[1:0] <= ~a[1:0];
    if (en)
        o_1[2] <= a[2];
end
always @(*) o_1[3] = a[3];
assign o_2 = o_1;
endmodule
