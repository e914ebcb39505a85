module top(input clk, rst, input [7:0] din, output [7:0] dout, input bin, output bout);
    reg [7:0] dq;
    reg bq;

    always @(posedge clk, posedge rst) begin
        if (rst) dq <= '0;
        else dq <= din;
    end

    always @(posedge clk) bq <= bin;

    assign dout = dq;
    assign bout = bq;
endmodule
