// Gate-level netlist of counter.v mapped to seed_cells.lib (Yosys: synth, dfflibmap, abc -liberty), for OpenSTA examples.

module counter(clk, rst, en, count);
  input clk;
  wire clk;
  input rst;
  wire rst;
  input en;
  wire en;
  output [7:0] count;
  wire [7:0] count;
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
  wire _21_;
  wire _22_;
  wire _23_;
  wire _24_;
  wire _25_;
  INV _26_ (
    .A(rst),
    .Y(_08_)
  );
  INV _27_ (
    .A(count[6]),
    .Y(_09_)
  );
  AND2 _28_ (
    .A(_16_),
    .B(_17_),
    .Y(_07_)
  );
  XOR2 _29_ (
    .A(count[7]),
    .B(_16_),
    .Y(_18_)
  );
  NOR2 _30_ (
    .A(rst),
    .B(_18_),
    .Y(_06_)
  );
  OAI21 _31_ (
    .A(count[4]),
    .B(_13_),
    .C(_08_),
    .Y(_19_)
  );
  NOR2 _32_ (
    .A(_14_),
    .B(_19_),
    .Y(_05_)
  );
  OAI21 _33_ (
    .A(count[0]),
    .B(en),
    .C(_08_),
    .Y(_20_)
  );
  NOR2 _34_ (
    .A(_10_),
    .B(_20_),
    .Y(_04_)
  );
  OAI21 _35_ (
    .A(count[5]),
    .B(_14_),
    .C(_08_),
    .Y(_21_)
  );
  AOI21 _36_ (
    .A(count[5]),
    .B(_14_),
    .C(_21_),
    .Y(_03_)
  );
  OAI21 _37_ (
    .A(count[1]),
    .B(_10_),
    .C(_08_),
    .Y(_22_)
  );
  AND2 _38_ (
    .A(count[0]),
    .B(en),
    .Y(_10_)
  );
  NOR2 _39_ (
    .A(_11_),
    .B(_22_),
    .Y(_02_)
  );
  AOI21 _40_ (
    .A(count[2]),
    .B(_11_),
    .C(count[3]),
    .Y(_23_)
  );
  OR2 _41_ (
    .A(rst),
    .B(_23_),
    .Y(_24_)
  );
  NOR2 _42_ (
    .A(_13_),
    .B(_24_),
    .Y(_01_)
  );
  OAI21 _43_ (
    .A(count[2]),
    .B(_11_),
    .C(_08_),
    .Y(_25_)
  );
  AOI21 _44_ (
    .A(count[2]),
    .B(_11_),
    .C(_25_),
    .Y(_00_)
  );
  AND2 _45_ (
    .A(count[1]),
    .B(_10_),
    .Y(_11_)
  );
  AND2 _46_ (
    .A(count[3]),
    .B(count[2]),
    .Y(_12_)
  );
  AND2 _47_ (
    .A(_11_),
    .B(_12_),
    .Y(_13_)
  );
  AND2 _48_ (
    .A(count[4]),
    .B(_13_),
    .Y(_14_)
  );
  NAND2 _49_ (
    .A(count[5]),
    .B(_14_),
    .Y(_15_)
  );
  OR2 _50_ (
    .A(_09_),
    .B(_15_),
    .Y(_16_)
  );
  AOI21 _51_ (
    .A(_09_),
    .B(_15_),
    .C(rst),
    .Y(_17_)
  );
  DFF _52_ (
    .CLK(clk),
    .D(_04_),
    .Q(count[0])
  );
  DFF _53_ (
    .CLK(clk),
    .D(_02_),
    .Q(count[1])
  );
  DFF _54_ (
    .CLK(clk),
    .D(_00_),
    .Q(count[2])
  );
  DFF _55_ (
    .CLK(clk),
    .D(_01_),
    .Q(count[3])
  );
  DFF _56_ (
    .CLK(clk),
    .D(_05_),
    .Q(count[4])
  );
  DFF _57_ (
    .CLK(clk),
    .D(_03_),
    .Q(count[5])
  );
  DFF _58_ (
    .CLK(clk),
    .D(_07_),
    .Q(count[6])
  );
  DFF _59_ (
    .CLK(clk),
    .D(_06_),
    .Q(count[7])
  );
endmodule
