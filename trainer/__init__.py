"""chipmate's training core: half-precision training (fp32 master weights, loss scaling) and its loop.

``chipmate.trainer.precision`` is the core (see ``docs/trainer.md``); ``chipmate.trainer.loop`` the small
training loop built on it, with metrics, plots and atomic checkpoints.
"""
