module opt_expr_sub_test(input [3:0] i, input [7:0] j, output [8:0] o);
wire[8:0] a;
initial begin
    a = 8'b0;
	a -= i;
	a -= j;
end
	assign o = a;
endmodule
