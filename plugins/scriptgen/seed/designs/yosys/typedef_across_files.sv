typedef logic T;
