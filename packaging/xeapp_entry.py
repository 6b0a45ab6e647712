"""Entry script of the PyInstaller bundle: console streams, freeze support, then the CLI."""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import TextIO

CONSOLE_LOG_NAME = "console.log"


def _open_console_log() -> TextIO:
    """Open the file that takes the output of a bundle built without a console.

    The file is in the per-user log directory, not the data directory, because the data
    directory is known only after the command line is parsed. The null device is the last
    resort when that directory cannot be written.
    """
    try:
        import platformdirs

        log_dir = platformdirs.user_log_path("xeapp", appauthor=False)
        log_dir.mkdir(parents=True, exist_ok=True)
        return open(log_dir / CONSOLE_LOG_NAME, "a", encoding="utf-8", buffering=1)
    except OSError:
        return open(os.devnull, "w", encoding="utf-8")


def redirect_missing_streams() -> None:
    """Give sys.stdout and sys.stderr a file when the bundle runs without a console.

    A windowed bundle (Windows `--noconsole`, a macOS .app) starts with both set to None,
    and the first print, argparse message or uvicorn log handler would raise AttributeError.
    """
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream = _open_console_log()
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


def main() -> None:
    # Streams first, because a multiprocessing child (the native window) may print too.
    redirect_missing_streams()
    # In a child process started by multiprocessing, this runs the child's target and exits
    # instead of starting a second copy of the app.
    multiprocessing.freeze_support()

    from xeapp.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
