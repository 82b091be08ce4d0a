"""Entry point for ``python -m logpipe``."""

from logpipe.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
