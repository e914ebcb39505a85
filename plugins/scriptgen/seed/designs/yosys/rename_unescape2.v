module top(output \$e );
submod \a$ (\$e );
endmodule

module submod(output \a[0] );
    assign \a[0] = 0;
endmodule
