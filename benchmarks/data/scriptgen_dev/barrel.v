module barrel_shifter (data, amount, rotate, left, result);
  input  [7:0] data;
  input  [2:0] amount;
  input        rotate, left;
  output [7:0] result;
  wire [15:0] dbl_l = {data, data} << amount;
  wire [15:0] dbl_r = {data, data} >> amount;
  assign result = rotate ? (left ? dbl_l[15:8] : dbl_r[7:0])
                         : (left ? data << amount : data >> amount);
endmodule
