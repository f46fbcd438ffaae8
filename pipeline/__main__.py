"""`python -m pipeline` runs the `handouts` command."""

from .cli import main

main()
