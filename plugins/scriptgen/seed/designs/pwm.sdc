create_clock -name clk -period 2.0 [get_ports clk]
set_input_delay 0.2 -clock clk [get_ports {rst duty*}]
set_output_delay 0.3 -clock clk [get_ports {out}]
