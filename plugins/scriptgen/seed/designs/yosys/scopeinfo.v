(* module_attr = "module_attr" *)
module some_mod(input a, output y);
    assign y = a;
endmodule

module top(input a, output y);
    (* inst_attr = "inst_attr" *)
    some_mod some_inst(.a(a), .y(y));
endmodule
