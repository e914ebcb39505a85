"""Generated gRPC stubs of chipmate.v1 (proto/generate.py)."""
