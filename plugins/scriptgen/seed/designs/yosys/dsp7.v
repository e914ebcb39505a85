module pipeline(
	input clk,
	input srst_A,
	input srst_B,
	input srst_D,
	input srst_P,
	input arst_D,
	input srst_C,
	input signed [5:0] in_A,
	input signed [4:0] in_B,
	input signed [4:0] in_C,
	input signed [4:0] in_D,
	output reg [11:0] out_P
);
wire srst_A_N;
wire srst_B_N;
wire srst_C_N;
wire srst_D_N;
wire srst_P_N;
assign srst_A_N = ~srst_A;
assign srst_B_N = ~srst_B;
assign srst_C_N = ~srst_C;
assign srst_D_N = ~srst_D;
assign srst_P_N = ~srst_P;

reg signed [5:0] reg_A;
reg signed [4:0] reg_B;
reg signed [4:0] reg_C;
reg signed [4:0] reg_D;

always@(posedge clk) begin // sync reset A
	// if (~srst_A_N) begin
	if (srst_A_N) begin
		reg_A = 6'b000000;
	end else begin
		reg_A = in_A;
	end
end

always@(posedge clk) begin // sync reset B
	if (srst_B_N) begin
		reg_B = 5'b00000;
	end else begin
		reg_B = in_B;
	end
end

always@(posedge clk, negedge arst_D) begin // async reset D
	if (~arst_D) begin
		reg_D = 5'b00000;
	end else begin
		reg_D = in_D;
	end
end

always@(posedge clk) begin // sync reset C
	if (srst_C_N) begin
		reg_C = 5'b00000;
	end else begin
		reg_C = in_C;
	end
end

// sync reset P
always@(posedge clk) begin
	if (srst_P_N) begin
		out_P = 12'h000;
	end else begin
		out_P = reg_A * (reg_B + reg_D) + reg_C;
	end
end
endmodule
