"""`xeapp credentials`: set, show and clear the device credentials, app-wide or per device."""

from __future__ import annotations

import argparse
import getpass
import sys

from xeapp.commands import add_json_option, find_app, open_context, print_json
from xeapp.credentials import Credentials
from xeapp.errors import InvalidInputError
from xeapp.logs import register_secret


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "credentials",
        help="set, show or clear the credentials xeapp logs in to devices with",
        description="Set, show or clear the device credentials. Without --device they apply "
        "to every device; with it, they override the app-wide ones for that device. "
        "XEAPP_USERNAME, XEAPP_PASSWORD and XEAPP_ENABLE_SECRET replace the app-wide ones "
        "for one process without being stored.",
    )
    actions = parser.add_subparsers(dest="credentials_command", metavar="ACTION", required=True)

    set_parser = actions.add_parser(
        "set", help="store credentials; prompts for the secrets without echo"
    )
    _add_device_option(set_parser)
    set_parser.add_argument("--username", help="login username (prompted for when omitted)")
    set_parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin and the enable secret, if any, "
        "from the second, instead of prompting",
    )
    set_parser.set_defaults(func=run_set)

    show_parser = actions.add_parser("show", help="show which credentials are set, never secrets")
    _add_device_option(show_parser)
    add_json_option(show_parser)
    show_parser.set_defaults(func=run_show)

    clear_parser = actions.add_parser("clear", help="delete stored credentials")
    _add_device_option(clear_parser)
    clear_parser.set_defaults(func=run_clear)


def _add_device_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device", metavar="IP", help="the device whose own credentials to use (default: app-wide)"
    )


def run_set(args: argparse.Namespace) -> int:
    username = args.username
    if not username:
        print("Username: ", end="", file=sys.stderr, flush=True)
        username = sys.stdin.readline().strip()
        if not username:
            raise InvalidInputError(
                "no username given; pass --username or type it at the prompt. Nothing was stored"
            )

    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInputError(
                "no password given: stdin ended before its first line. Nothing was stored"
            )
        password = line.rstrip("\r\n")
        enable_secret = sys.stdin.readline().rstrip("\r\n") or None
    else:
        password = _prompt_secret("Password: ")
        if _prompt_secret("Password again: ") != password:
            raise InvalidInputError("the passwords do not match; nothing was stored")
        try:
            enable_secret = getpass.getpass("Enable secret (empty for none): ") or None
        except EOFError:
            enable_secret = None
    if not password:
        raise InvalidInputError("the password is empty; nothing was stored")

    where = f"device {args.device}" if args.device else "every device"
    client = find_app(args)
    if client is not None:
        # Registered here too, so that no message this process prints shows them.
        register_secret(password)
        register_secret(enable_secret)
        body = {
            "username": username,
            "password": password,
            "enable_secret": enable_secret,
            "device": args.device,
        }
        backend = client.put("/api/credentials", body)["backend"]
    else:
        with open_context(args, write=True) as context:
            context.credentials.set(Credentials(username, password, enable_secret), args.device)
            backend = context.credentials.backend_name
    print(f"stored credentials of {username} for {where} in {backend}", file=sys.stderr)
    return 0


def _prompt_secret(prompt: str) -> str:
    # getpass reads stdin when there is no terminal, and raises EOFError when stdin ends.
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise InvalidInputError(
            "no password given: the terminal or stdin ended before a password was read; type "
            "it at the prompt or pipe it with --password-stdin. Nothing was stored"
        ) from None


def run_show(args: argparse.Namespace) -> int:
    with open_context(args, write=False) as context:
        store = context.credentials
        if args.device:
            records = [store.describe(args.device)]
        else:
            records = [store.describe(None)] + [store.describe(ip) for ip in store.overrides()]
        backend = store.backend_name

    if args.json:
        print_json({"backend": backend, "credentials": records})
        return 0
    print(f"secrets stored in: {backend}")
    for record in records:
        print(
            f"{record['scope']}: username {record['username'] or '-'}, "
            f"password {'set' if record['password_set'] else 'not set'}, "
            f"enable secret {'set' if record['enable_secret_set'] else 'not set'}, "
            f"from {record['source']}"
        )
    return 0


def run_clear(args: argparse.Namespace) -> int:
    client = find_app(args)
    if client is not None:
        cleared = bool(client.delete("/api/credentials", params={"device": args.device})["cleared"])
    else:
        with open_context(args, write=True) as context:
            cleared = context.credentials.clear(args.device)
    where = f"device {args.device}" if args.device else "app-wide"
    if not cleared:
        print(f"no {where} credentials were stored", file=sys.stderr)
        return 1
    print(f"cleared {where} credentials", file=sys.stderr)
    return 0
