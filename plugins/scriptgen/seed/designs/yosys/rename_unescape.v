module top();
    wire \a[0] ;
    wire \0b ;
    wire c;
    wire d_;
    wire d$;
    wire \$e ;
    wire \wire ;
    wire add = c + d$;
endmodule
