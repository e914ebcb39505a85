"""Generated gRPC stubs of chipmate.plugins.scriptgen.v1 (proto/generate.py)."""
