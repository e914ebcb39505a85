// Drives a shared 4-bit bus when enabled, floats it otherwise.
module bus_drv (
    input  wire       oe,
    input  wire [3:0] value,
    output wire [3:0] bus
);
    assign bus = oe ? value : 4'bzzzz;
endmodule
