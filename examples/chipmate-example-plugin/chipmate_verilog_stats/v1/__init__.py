"""Generated gRPC stubs of chipmate_verilog_stats.v1 (proto/generate.py)."""
