"""Generated gRPC stubs of chipmate.plugins.bugtriage.v1 (proto/generate.py)."""
