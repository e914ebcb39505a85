module t3(input clk, rst, input [7:0] data, output reg [7:0] result);
    always @(posedge clk) begin : compute
        automatic reg [7:0] tmp;
        tmp = data ^ 8'hA5;
        if (rst)
            result <= 8'h00;
        else
            result <= tmp;
    end
endmodule
