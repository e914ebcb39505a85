"""`python -m chipmate.cli`: the CLI where the console script is not on PATH."""

from . import main

main()
