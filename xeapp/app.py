"""Wires the app together: one NiceGUI process with the pages, the API, the scheduler and the
image server, shown in a native window or a browser tab.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import logging
import os
import secrets
import socket
import sys
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nicegui import app, ui

from xeapp.api import install_api, remove_endpoint, write_endpoint
from xeapp.datadir import atomic_write
from xeapp.errors import InvalidInputError, XeappError
from xeapp.logs import stop_logging
from xeapp.services import AppServices
from xeapp.ui.pages import register_pages

log = logging.getLogger(__name__)

WindowMode = Literal["auto", "native", "browser"]
ICON = Path(__file__).resolve().parent.parent / "assets" / "xeapp.png"
STORAGE_SECRET_FILE = "ui-secret"
# How long the native window may take to appear before the app opens a browser tab instead.
NATIVE_WINDOW_TIMEOUT_S = 8.0
_GUI_BACKENDS = ("gi", "PyQt6", "PyQt5", "PySide6", "qtpy")


@dataclass(frozen=True)
class UiOptions:
    """Address, port and window mode the UI is served with."""

    host: str
    port: int
    window: WindowMode = "auto"
    show: bool = True


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def check_host(host: str, password_hash: str | None) -> None:
    """Raise InvalidInputError when a non-loopback UI would run without a UI password."""
    if is_loopback(host) or password_hash:
        return
    raise InvalidInputError(
        f"serving the UI on {host} makes it reachable from other machines, so it needs a UI "
        "password: set one with `xeapp run --set-ui-password` (or on the Settings page of a "
        "UI bound to 127.0.0.1), then start again with --host"
    )


def check_port_free(host: str, port: int) -> None:
    """Raise XeappError when the UI port is taken, before any service starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise XeappError(
                f"cannot serve the UI on {host} port {port}: {exc.strerror}; another program "
                "(or another xeapp) uses it, so pick another with --port"
            ) from exc


def native_window_support() -> tuple[bool, str]:
    """Return whether a native window can open here, and the reason when it cannot."""
    if importlib.util.find_spec("webview") is None:
        return False, "pywebview is not installed"
    if sys.platform.startswith("linux"):
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return False, "no display (DISPLAY and WAYLAND_DISPLAY are unset)"
        if not any(importlib.util.find_spec(name) for name in _GUI_BACKENDS):
            return False, "no GUI backend for pywebview (install PyGObject or PyQt)"
    return True, ""


def choose_window(requested: WindowMode) -> tuple[bool, str]:
    """Return (native, reason): the window to open and, for a browser tab, why."""
    if requested == "browser":
        return False, "--browser given"
    supported, reason = native_window_support()
    if requested == "native" and not supported:
        log.warning("--native given, but %s; opening a browser tab", reason)
    return supported, reason


def storage_secret(root: Path) -> str:
    """Return the secret that signs UI sessions, kept in the data directory (mode 0600)."""
    path = root / STORAGE_SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    secret = secrets.token_urlsafe(32)
    atomic_write(path, secret.encode("ascii"))
    return secret


def build_app(services: AppServices, *, require_login: bool = False) -> None:
    """Register the pages and the API on NiceGUI's FastAPI app."""
    register_pages(services, require_login=require_login)
    install_api(app, services)
    if ICON.is_file():
        app.add_static_file(local_file=ICON, url_path="/assets/xeapp.png")


def run_app(services: AppServices, options: UiOptions) -> None:
    """Serve the UI until the window closes, Ctrl-C or SIGTERM, then stop every service.

    Raises InvalidInputError for a non-loopback host without a UI password, XeappError when
    the UI port is taken, ImageError when the image server cannot bind.
    """
    check_host(options.host, services.settings.ui_password_hash)
    check_port_free(options.host, options.port)
    native, reason = choose_window(options.window)
    if options.show and not native and options.window != "browser":
        log.info("opening a browser tab: %s", reason)
    build_app(services, require_login=not is_loopback(options.host))
    services.start()
    url = f"http://{options.host if is_loopback(options.host) else '127.0.0.1'}:{options.port}/"

    def on_startup() -> None:
        write_endpoint(services.data_dir.root, options.host, options.port)
        log.info("xeapp UI at %s (data directory %s)", url, services.data_dir.root)
        if native and options.show:
            _watch_native_window(url)

    def on_shutdown() -> None:
        remove_endpoint(services.data_dir.root)
        services.stop()
        # uvicorn re-raises SIGTERM after its shutdown, which skips atexit handlers.
        stop_logging()

    app.on_startup(on_startup)
    app.on_shutdown(on_shutdown)
    title = "xeapp - Demo lab" if services.demo else "xeapp"
    try:
        ui.run(
            host=options.host,
            port=options.port,
            title=title,
            favicon=ICON if ICON.is_file() else None,
            native=native and options.show,
            window_size=(1400, 900) if native and options.show else None,
            show=options.show and not native,
            reload=False,
            show_welcome_message=False,
            storage_secret=storage_secret(services.data_dir.root),
            fastapi_docs=True,
            uvicorn_logging_level="warning",
        )
    finally:
        on_shutdown()


def _watch_native_window(url: str) -> None:
    """Open a browser tab when the native window has not appeared in time."""
    shown = threading.Event()
    app.native.on("shown", lambda: shown.set())

    async def check() -> None:
        await asyncio.sleep(NATIVE_WINDOW_TIMEOUT_S)
        if not shown.is_set():
            log.warning(
                "the native window did not appear within %.0f s (pywebview may lack a working "
                "GUI backend); opening %s in a browser tab instead",
                NATIVE_WINDOW_TIMEOUT_S,
                url,
            )
            webbrowser.open(url)

    asyncio.get_running_loop().create_task(check())
