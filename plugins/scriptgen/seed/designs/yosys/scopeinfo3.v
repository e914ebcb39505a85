(* module_attr = "module_attr_deep" *)
(* keep_hierarchy *)
module some_mod_deep(input a, output y);
    assign y = a;
endmodule

(* module_attr = "module_attr" *)
module some_mod(input a, output y);
    (* inst_attr = "inst_attr_deep" *)
    some_mod_deep some_inst_deep(.a(a), .y(y));
endmodule

module top(input a, output y);
    (* inst_attr = "inst_attr" *)
    some_mod some_inst(.a(a), .y(y));
endmodule
