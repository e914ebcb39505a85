// Sensor front end: a moving-sum filter followed by a threshold comparator (filter.v, threshold.v).
module sensor_top (input clk, input rst, input [7:0] sample, input [9:0] limit, output alarm, output [9:0] level);
  filter    u_filt (.clk(clk), .rst(rst), .x(sample), .y(level));
  threshold u_thr  (.clk(clk), .value(level), .limit(limit), .over(alarm));
endmodule
