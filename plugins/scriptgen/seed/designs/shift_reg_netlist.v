// Gate-level netlist of shift_reg.v mapped to seed_cells.lib (Yosys: synth, dfflibmap, abc -liberty), for OpenSTA examples.

module shift_reg(clk, load, shift, serial_in, parallel_in, q);
  input clk;
  wire clk;
  input load;
  wire load;
  input shift;
  wire shift;
  input serial_in;
  wire serial_in;
  input [7:0] parallel_in;
  wire [7:0] parallel_in;
  output [7:0] q;
  wire [7:0] q;
  wire _00_;
  wire _01_;
  wire _02_;
  wire _03_;
  wire _04_;
  wire _05_;
  wire _06_;
  wire _07_;
  wire _08_;
  wire _09_;
  wire _10_;
  wire _11_;
  wire _12_;
  wire _13_;
  wire _14_;
  wire _15_;
  wire _16_;
  wire _17_;
  wire _18_;
  wire _19_;
  wire _20_;
  INV _21_ (
    .A(q[3]),
    .Y(_08_)
  );
  INV _22_ (
    .A(load),
    .Y(_09_)
  );
  MUX2 _23_ (
    .A(_14_),
    .B(q[0]),
    .S(_10_),
    .Y(_04_)
  );
  MUX2 _24_ (
    .A(q[0]),
    .B(parallel_in[1]),
    .S(load),
    .Y(_15_)
  );
  MUX2 _25_ (
    .A(_15_),
    .B(q[1]),
    .S(_10_),
    .Y(_03_)
  );
  MUX2 _26_ (
    .A(q[1]),
    .B(parallel_in[2]),
    .S(load),
    .Y(_16_)
  );
  MUX2 _27_ (
    .A(_16_),
    .B(q[2]),
    .S(_10_),
    .Y(_02_)
  );
  MUX2 _28_ (
    .A(q[2]),
    .B(parallel_in[3]),
    .S(load),
    .Y(_17_)
  );
  MUX2 _29_ (
    .A(_17_),
    .B(q[3]),
    .S(_10_),
    .Y(_01_)
  );
  NAND2 _30_ (
    .A(_09_),
    .B(shift),
    .Y(_18_)
  );
  AND2 _31_ (
    .A(load),
    .B(parallel_in[4]),
    .Y(_19_)
  );
  AOI21 _32_ (
    .A(q[4]),
    .B(_10_),
    .C(_19_),
    .Y(_20_)
  );
  NOR2 _33_ (
    .A(load),
    .B(shift),
    .Y(_10_)
  );
  OAI21 _34_ (
    .A(_08_),
    .B(_18_),
    .C(_20_),
    .Y(_00_)
  );
  MUX2 _35_ (
    .A(q[4]),
    .B(parallel_in[5]),
    .S(load),
    .Y(_11_)
  );
  MUX2 _36_ (
    .A(_11_),
    .B(q[5]),
    .S(_10_),
    .Y(_07_)
  );
  MUX2 _37_ (
    .A(q[5]),
    .B(parallel_in[6]),
    .S(load),
    .Y(_12_)
  );
  MUX2 _38_ (
    .A(_12_),
    .B(q[6]),
    .S(_10_),
    .Y(_06_)
  );
  MUX2 _39_ (
    .A(q[7]),
    .B(q[6]),
    .S(shift),
    .Y(_13_)
  );
  MUX2 _40_ (
    .A(parallel_in[7]),
    .B(_13_),
    .S(_09_),
    .Y(_05_)
  );
  MUX2 _41_ (
    .A(serial_in),
    .B(parallel_in[0]),
    .S(load),
    .Y(_14_)
  );
  DFF _42_ (
    .CLK(clk),
    .D(_04_),
    .Q(q[0])
  );
  DFF _43_ (
    .CLK(clk),
    .D(_03_),
    .Q(q[1])
  );
  DFF _44_ (
    .CLK(clk),
    .D(_02_),
    .Q(q[2])
  );
  DFF _45_ (
    .CLK(clk),
    .D(_01_),
    .Q(q[3])
  );
  DFF _46_ (
    .CLK(clk),
    .D(_00_),
    .Q(q[4])
  );
  DFF _47_ (
    .CLK(clk),
    .D(_07_),
    .Q(q[5])
  );
  DFF _48_ (
    .CLK(clk),
    .D(_06_),
    .Q(q[6])
  );
  DFF _49_ (
    .CLK(clk),
    .D(_05_),
    .Q(q[7])
  );
endmodule
