// Gate-level tally_ctr (tally.v) mapped to g2_cells.lib by Yosys: the input of the OpenSTA tasks.

module tally_ctr(clk, clr, en, count, wrap);
  input clk;
  wire clk;
  input clr;
  wire clr;
  input en;
  wire en;
  output [5:0] count;
  wire [5:0] count;
  output wrap;
  wire wrap;
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
  G2AN2 _23_ (
    .I0(en),
    .I1(count[0]),
    .Z(_06_)
  );
  G2NR2 _24_ (
    .I0(en),
    .I1(count[0]),
    .Z(_07_)
  );
  G2AN2 _25_ (
    .I0(count[4]),
    .I1(_13_),
    .Z(_14_)
  );
  G2NR2 _26_ (
    .I0(count[4]),
    .I1(_13_),
    .Z(_15_)
  );
  G2OR2 _27_ (
    .I0(clr),
    .I1(_15_),
    .Z(_16_)
  );
  G2NR2 _28_ (
    .I0(_14_),
    .I1(_16_),
    .Z(_03_)
  );
  G2AN2 _29_ (
    .I0(count[5]),
    .I1(_14_),
    .Z(wrap)
  );
  G2NR2 _30_ (
    .I0(count[5]),
    .I1(_14_),
    .Z(_17_)
  );
  G2OR2 _31_ (
    .I0(clr),
    .I1(_17_),
    .Z(_18_)
  );
  G2NR2 _32_ (
    .I0(wrap),
    .I1(_18_),
    .Z(_02_)
  );
  G2NR2 _33_ (
    .I0(count[2]),
    .I1(_09_),
    .Z(_19_)
  );
  G2OR2 _34_ (
    .I0(clr),
    .I1(_19_),
    .Z(_20_)
  );
  G2OR2 _35_ (
    .I0(clr),
    .I1(_07_),
    .Z(_08_)
  );
  G2NR2 _36_ (
    .I0(_12_),
    .I1(_20_),
    .Z(_01_)
  );
  G2NR2 _37_ (
    .I0(count[3]),
    .I1(_12_),
    .Z(_21_)
  );
  G2OR2 _38_ (
    .I0(clr),
    .I1(_21_),
    .Z(_22_)
  );
  G2NR2 _39_ (
    .I0(_13_),
    .I1(_22_),
    .Z(_00_)
  );
  G2NR2 _40_ (
    .I0(_06_),
    .I1(_08_),
    .Z(_05_)
  );
  G2AN2 _41_ (
    .I0(count[1]),
    .I1(_06_),
    .Z(_09_)
  );
  G2NR2 _42_ (
    .I0(count[1]),
    .I1(_06_),
    .Z(_10_)
  );
  G2OR2 _43_ (
    .I0(clr),
    .I1(_10_),
    .Z(_11_)
  );
  G2NR2 _44_ (
    .I0(_09_),
    .I1(_11_),
    .Z(_04_)
  );
  G2AN2 _45_ (
    .I0(count[2]),
    .I1(_09_),
    .Z(_12_)
  );
  G2AN2 _46_ (
    .I0(count[3]),
    .I1(_12_),
    .Z(_13_)
  );
  G2DFF _47_ (
    .CK(clk),
    .D(_05_),
    .Q(count[0])
  );
  G2DFF _48_ (
    .CK(clk),
    .D(_04_),
    .Q(count[1])
  );
  G2DFF _49_ (
    .CK(clk),
    .D(_01_),
    .Q(count[2])
  );
  G2DFF _50_ (
    .CK(clk),
    .D(_00_),
    .Q(count[3])
  );
  G2DFF _51_ (
    .CK(clk),
    .D(_03_),
    .Q(count[4])
  );
  G2DFF _52_ (
    .CK(clk),
    .D(_02_),
    .Q(count[5])
  );
endmodule
