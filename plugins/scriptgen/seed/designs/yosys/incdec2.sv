module top(
	input logic [7:0] a,
	output logic [7:0] pre_inc,
	output logic [7:0] pre_dec,
	output logic [7:0] post_inc,
	output logic [7:0] post_dec
);

logic [7:0] a_pre_inc, a_pre_dec, a_post_inc, a_post_dec;
always_comb begin
	a_pre_inc = a;
	a_pre_dec = a;
	a_post_inc = a;
	a_post_dec = a;

	pre_inc = ++a_pre_inc;
	pre_dec = --a_pre_dec;
	post_inc = a_post_inc++;
	post_dec = a_post_dec--;
end

wire [7:0] a_inc = a + 1;
wire [7:0] a_dec = a - 1;

always_comb begin
	assert(a_pre_inc == a_inc);
	assert(a_pre_dec == a_dec);
	assert(a_post_inc == a_inc);
	assert(a_post_dec == a_dec);

	assert(pre_inc == a_inc);
	assert(pre_dec == a_dec);
	assert(post_inc == a);
	assert(post_dec == a);
end

endmodule
