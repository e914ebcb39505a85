"""Generated gRPC stubs of chipmate.plugins.designqa.v1 (proto/generate.py)."""
