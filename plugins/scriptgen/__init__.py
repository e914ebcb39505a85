"""The ``scriptgen`` plugin: EDA scripts that ran against the real tool before anyone sees them.

This first part provides the tool adapters scriptgen runs scripts in: Yosys (through the Yosys and ABC that the
``pyosys`` package bundles) and OpenSTA (the ``sta`` binary, where installed), each in a sandbox behind static
safety checks. Importing this module loads no grpc and no Yosys. See docs/scriptgen.md.
"""

from __future__ import annotations

from chipmate import hookimpl


@hookimpl(trylast=True)
def chipmate_register_tools(register):
    from .opensta import OpenStaTool
    from .yosys import YosysTool

    register(YosysTool())
    register(OpenStaTool())
