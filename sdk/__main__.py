"""`python -m chipmate`: the same as the `chipmate` command."""

from .cli import main

main()
