"""Page routes of the app; each page builds the frame and hands the service object to its page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from xeapp.services import AppServices, check_password
from xeapp.ui.dashboard import DashboardPage
from xeapp.ui.frame import frame
from xeapp.ui.inventory import InventoryPage
from xeapp.ui.jobs_page import JobsPage
from xeapp.ui.repository_page import RepositoryPage
from xeapp.ui.settings_page import SettingsPage

LOGIN_PATH = "/login"
# Paths served without a login: the login page, NiceGUI's own assets, and the API, which
# checks its own token.
_OPEN_PREFIXES = ("/_nicegui", "/api/", "/docs", "/openapi.json", LOGIN_PATH)


def register_pages(services: AppServices, *, require_login: bool = False) -> None:
    """Register every page; with `require_login`, pages need the UI password first."""

    @ui.page("/")
    def dashboard() -> None:
        with frame(services, "Dashboard") as events:
            DashboardPage(services, events)

    @ui.page("/inventory")
    def inventory() -> None:
        with frame(services, "Inventory") as events:
            InventoryPage(services, events)

    @ui.page("/repository")
    def repository() -> None:
        with frame(services, "Repository") as events:
            RepositoryPage(services, events)

    @ui.page("/jobs")
    def jobs(job: str | None = None) -> None:
        with frame(services, "Jobs") as events:
            JobsPage(services, events, job)

    @ui.page("/settings")
    def settings() -> None:
        with frame(services, "Settings"):
            SettingsPage(services)

    @ui.page(LOGIN_PATH)
    def login(redirect_to: str = "/") -> RedirectResponse | None:
        if app.storage.user.get("authenticated"):
            return RedirectResponse(redirect_to)
        ui.page_title("Log in - xeapp")

        def attempt() -> None:
            if check_password(password.value or "", services.settings.ui_password_hash):
                app.storage.user["authenticated"] = True
                # Only a path on this app: "//host/..." would leave it for another site.
                local = redirect_to.startswith("/") and not redirect_to.startswith("//")
                ui.navigate.to(redirect_to if local else "/")
            else:
                ui.notify("Wrong password", type="negative")

        with ui.card().classes("absolute-center w-80"):
            ui.label("xeapp").classes("text-xl font-bold")
            password = ui.input("UI password", password=True).on("keydown.enter", attempt)
            password.mark("ui-password")
            ui.button("Log in", on_click=attempt).mark("log-in")
        return None

    if require_login:
        app.add_middleware(_LoginMiddleware)


class _LoginMiddleware(BaseHTTPMiddleware):
    """Send a browser without a login session to the login page."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if not path.startswith(_OPEN_PREFIXES) and not app.storage.user.get("authenticated"):
            return RedirectResponse(f"{LOGIN_PATH}?redirect_to={path}")
        return await call_next(request)
