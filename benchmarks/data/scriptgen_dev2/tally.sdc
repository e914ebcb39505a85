create_clock -name clk -period 2.0 [get_ports clk]
set_input_delay 0.3 -clock clk [get_ports {clr en}]
set_output_delay 0.4 -clock clk [get_ports {count[*] wrap}]
