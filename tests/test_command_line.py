"""Tests of the command line, run as real subprocesses: exit statuses, output and redaction."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from xeapp import __version__
from xeapp.cli import _with_default_command
from xeapp.commands import COMMAND_NAMES
from xeapp.datadir import DataDir, DataDirLock

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def test_help_exits_zero(data_dir: Path, run_cli: RunCli) -> None:
    result = run_cli(data_dir, "--help")

    assert result.returncode == 0
    assert "credentials" in result.stdout


def test_version_exits_zero(data_dir: Path, run_cli: RunCli) -> None:
    result = run_cli(data_dir, "--version")

    assert result.returncode == 0
    assert result.stdout.strip() == f"xeapp {__version__}"


def test_console_script_version(data_dir: Path, cli_env: Callable[..., dict[str, str]]) -> None:
    script = shutil.which("xeapp", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run(
        [script, "--version"], capture_output=True, text=True, env=cli_env(data_dir), timeout=60
    )

    assert result.returncode == 0
    assert result.stdout.strip() == f"xeapp {__version__}"


@pytest.mark.parametrize("args", [["--no-such-option"], ["discover", "--no-such-option"]])
def test_unknown_option_exits_two(data_dir: Path, run_cli: RunCli, args: list[str]) -> None:
    result = run_cli(data_dir, *args)

    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr


def test_unknown_command_exits_two(data_dir: Path, run_cli: RunCli) -> None:
    result = run_cli(data_dir, "frobnicate")

    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["run"]),
        (["--data-dir", "/d"], ["--data-dir", "/d", "run"]),
        (["--log-level=DEBUG", "--native"], ["--log-level=DEBUG", "run", "--native"]),
        (["jobs", "--json"], ["jobs", "--json"]),
        (["--version"], ["--version"]),
    ],
)
def test_default_command_inserted(argv: list[str], expected: list[str]) -> None:
    assert _with_default_command(argv) == expected


def test_every_command_has_help(data_dir: Path, run_cli: RunCli) -> None:
    for name in COMMAND_NAMES:
        result = run_cli(data_dir, name, "--help")
        assert result.returncode == 0, name


def test_shared_options_after_command(tmp_path: Path, run_cli: RunCli) -> None:
    other = tmp_path / "other"

    result = run_cli(tmp_path / "unused", "credentials", "show", "--data-dir", str(other))

    assert result.returncode == 0
    assert (other / "logs" / "xeapp.log").exists()


def test_credentials_set_show_clear(data_dir: Path, run_cli: RunCli) -> None:
    set_result = run_cli(
        data_dir,
        "credentials",
        "set",
        "--username",
        "admin",
        "--password-stdin",
        stdin="cli-pw-61f0\ncli-enable-2c\n",
    )
    assert set_result.returncode == 0, set_result.stderr

    shown = run_cli(data_dir, "credentials", "show", "--json")
    assert shown.returncode == 0
    document = json.loads(shown.stdout)
    assert document["credentials"][0]["username"] == "admin"
    assert document["credentials"][0]["enable_secret_set"] is True
    assert "cli-pw-61f0" not in shown.stdout

    assert run_cli(data_dir, "credentials", "clear").returncode == 0
    assert run_cli(data_dir, "credentials", "clear").returncode == 1


def test_credentials_device_override(data_dir: Path, run_cli: RunCli) -> None:
    args = ["credentials", "set", "--device", "10.0.0.9", "--username", "local"]
    assert run_cli(data_dir, *args, "--password-stdin", stdin="dev-pw-a1\n").returncode == 0

    shown = json.loads(run_cli(data_dir, "credentials", "show", "--json").stdout)

    assert [c["scope"] for c in shown["credentials"]] == ["app", "10.0.0.9"]
    assert shown["credentials"][1]["username"] == "local"


def test_write_refused_while_locked(data_dir: Path, run_cli: RunCli) -> None:
    with DataDirLock(DataDir.create(data_dir).lock_file):
        result = run_cli(
            data_dir, "credentials", "set", "--username", "a", "--password-stdin", stdin="p-1\n"
        )

    assert result.returncode == 1
    assert f"in use by process {os.getpid()}" in result.stderr


def test_password_never_written(
    data_dir: Path, run_cli: RunCli, cli_env: Callable[..., dict[str, str]]
) -> None:
    password = "Redact-Me-7c91e4"
    env = cli_env(data_dir, XEAPP_USERNAME="admin", XEAPP_PASSWORD=password)
    # A password pasted into the address field ends up in an exception message and in the
    # debug traceback. The second run stores the password as a device override.
    mistaken = run_cli(
        data_dir,
        "--log-level",
        "DEBUG",
        "credentials",
        "set",
        "--device",
        password,
        "--username",
        "admin",
        "--password-stdin",
        stdin=f"{password}\n",
        env=env,
    )
    stored = run_cli(
        data_dir,
        "--log-level",
        "DEBUG",
        "credentials",
        "set",
        "--device",
        "10.0.0.1",
        "--username",
        "admin",
        "--password-stdin",
        stdin=f"{password}\n",
        env=env,
    )
    shown = run_cli(data_dir, "--log-level", "DEBUG", "credentials", "show", "--json", env=env)

    assert mistaken.returncode == 2
    assert "invalid device address '********'" in mistaken.stderr
    assert stored.returncode == 0
    assert shown.returncode == 0
    for result in (mistaken, stored, shown):
        assert password not in result.stderr
        assert password not in result.stdout
    written = [p for p in data_dir.rglob("*") if p.is_file()]
    assert data_dir / "logs" / "xeapp.log" in written
    for path in written:
        if path.name == "secrets.json":
            # The one place a secret is meant to be, when no OS keyring is usable.
            continue
        assert password.encode() not in path.read_bytes(), path


def set_without_terminal(
    env: dict[str, str], *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `credentials set` in a new session, so getpass has no terminal and reads stdin."""
    return subprocess.run(
        [sys.executable, "-m", "xeapp", "credentials", "set", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        start_new_session=True,
    )


def stored_usernames(data_dir: Path, run_cli: RunCli) -> list[str | None]:
    shown = json.loads(run_cli(data_dir, "credentials", "show", "--json").stdout)
    return [record["username"] for record in shown["credentials"]]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--username", "other"], "", "no password given"),
        (["--username", "other"], "pw-1\n", "no password given"),
        (["--username", "other"], "\n\n", "the password is empty"),
        (["--username", "other", "--password-stdin"], "", "no password given"),
        (["--username", "other", "--password-stdin"], "\n", "the password is empty"),
        ([], "", "no username given"),
        ([], "\n", "no username given"),
    ],
)
def test_credentials_set_without_input(
    data_dir: Path,
    run_cli: RunCli,
    cli_env: Callable[..., dict[str, str]],
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    first = ["credentials", "set", "--username", "admin", "--password-stdin"]
    assert run_cli(data_dir, *first, stdin="pw-kept\n").returncode == 0

    result = set_without_terminal(cli_env(data_dir), *args, stdin=stdin)

    assert result.returncode == 2
    assert message in result.stderr
    assert "nothing was stored" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert stored_usernames(data_dir, run_cli) == ["admin"]
