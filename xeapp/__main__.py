"""Run the xeapp command line as `python -m xeapp`."""

from xeapp.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
