"""Set the UI password from XEAPP_UI_PASSWORD_FILE or XEAPP_UI_PASSWORD before the app starts.

Used by the container entrypoint, where `xeapp run --set-ui-password` cannot prompt. The
stored hash is replaced only when the given password does not match it, so a restart with
the same password leaves settings.json untouched. Exits 0 when neither variable is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from xeapp.commands import open_context
from xeapp.services import check_password, hash_password

MIN_LENGTH = 8


def read_password() -> str | None:
    """Return the password from the file variable, else the plain variable, else None."""
    path = os.environ.get("XEAPP_UI_PASSWORD_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    return os.environ.get("XEAPP_UI_PASSWORD") or None


def main() -> int:
    try:
        password = read_password()
    except OSError as exc:
        print(f"xeapp: error: cannot read XEAPP_UI_PASSWORD_FILE: {exc}", file=sys.stderr)
        return 2
    if password is None:
        return 0
    if len(password) < MIN_LENGTH:
        print(
            f"xeapp: error: the UI password needs at least {MIN_LENGTH} characters", file=sys.stderr
        )
        return 2

    with open_context(argparse.Namespace(data_dir=None), write=True) as context:
        if check_password(password, context.settings.ui_password_hash):
            return 0
        context.update_settings({"ui_password_hash": hash_password(password)})
    print("xeapp: UI password set from the environment", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
