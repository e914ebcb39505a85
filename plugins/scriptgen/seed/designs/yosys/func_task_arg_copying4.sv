module top (
	output logic [7:0] a,
	output logic [7:0] b,
	output logic [7:0] c
);
	function logic [7:0] modify(
		input logic [7:0] t_in,
		output logic [7:0] t_out,
		inout logic [7:0] t_inout
	);
		assert(t_in == 5);
		t_in = 6;
		t_out = 7;
		assert(t_inout == 8);
		t_inout = 9;
		modify = 10;
	endfunction

	logic [7:0] result;
	always_comb begin
		a = 5;
		b = 4;
		c = 8;

		result = modify(a, b, c);

		assert(a == 5);
		assert(b == 7);
		assert(c == 9);
		assert(result == 10);
	end
endmodule
