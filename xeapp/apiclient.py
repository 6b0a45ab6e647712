"""Client of the local HTTP API of an app running on the same data directory.

CLI commands that write use it instead of taking the data directory lock, which the running
app holds. The app is found through the data directory's `api-endpoint` file; requests carry
the Bearer token from its `api-token` file and go to loopback addresses only.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from xeapp.errors import InvalidInputError, NotFoundError, XeappError

log = logging.getLogger(__name__)

# Seconds to wait for /api/status while finding the app; a healthy app responds at once.
STATUS_TIMEOUT_S = 5.0
# Seconds a request that does no device work may take.
DEFAULT_TIMEOUT_S = 60.0

QueryValue = str | int | Sequence[str] | None

# Requests go straight to the loopback address, never through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class AppApiError(XeappError):
    """The running app rejected a request (token, client address) or did not respond."""


class AppUnreachableError(AppApiError):
    """The running app's API did not respond: connection refused, reset or timed out."""


class AppClient:
    """Requests to the API of the app with process id `pid`, listening on `host:port`."""

    def __init__(self, root: Path, host: str, port: int, pid: int, token: str) -> None:
        if not _is_loopback(host):
            raise AppApiError(
                f"the api-endpoint file in {root} names {host}, which is not a loopback "
                "address; the CLI sends requests to loopback addresses only"
            )
        self.root = root
        self.host = host
        self.port = port
        self.pid = pid
        self._token = token

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @classmethod
    def find(cls, root: Path) -> AppClient | None:
        """Return a client of the app running on data directory `root`, or None.

        None means no app runs there: no endpoint file, a dead process, or an API that does
        not respond to /api/status. Raises AppApiError when the app rejects the token.
        """
        # Imported here because xeapp.api imports the services, which import the commands.
        from xeapp.api import TOKEN_FILE, read_endpoint

        endpoint = read_endpoint(root)
        if endpoint is None:
            return None
        try:
            token = (root / TOKEN_FILE).read_text(encoding="ascii").strip()
        except OSError as exc:
            raise AppApiError(
                f"the app (process {endpoint.get('pid')}) runs on {root}, but its API token "
                f"file cannot be read: {exc}"
            ) from exc
        client = cls(
            root, str(endpoint["host"]), int(endpoint["port"]), int(endpoint["pid"]), token
        )

        try:
            status = client.get("/api/status", timeout=STATUS_TIMEOUT_S)
        except AppUnreachableError as exc:
            log.info("ignoring the api-endpoint file of %s: %s", root, exc)
            return None
        if Path(str(status.get("data_dir"))).resolve() != root.resolve():
            log.info("ignoring the app at %s: it runs on %s", client.base_url, status["data_dir"])
            return None
        return client

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> Any:
        """Send GET and return the decoded JSON body; see `request` for the errors."""
        return json.loads(self.request("GET", path, params=params, timeout=timeout) or b"null")

    def post(self, path: str, body: Any = None, *, timeout: float = DEFAULT_TIMEOUT_S) -> Any:
        """Send POST with a JSON body and return the decoded JSON body."""
        return json.loads(self.request("POST", path, body=body, timeout=timeout) or b"null")

    def put(self, path: str, body: Any = None, *, timeout: float = DEFAULT_TIMEOUT_S) -> Any:
        """Send PUT with a JSON body and return the decoded JSON body."""
        return json.loads(self.request("PUT", path, body=body, timeout=timeout) or b"null")

    def delete(
        self,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> Any:
        """Send DELETE and return the decoded JSON body."""
        return json.loads(self.request("DELETE", path, params=params, timeout=timeout) or b"null")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> bytes:
        """Send one request and return the response body.

        `timeout` bounds the connection and each wait for response data, in seconds. Raises
        InvalidInputError (HTTP 400 or 422), NotFoundError (404) and XeappError (409) with the
        app's message, AppApiError for a rejected token or address or a server error, and
        AppUnreachableError when the app does not respond.
        """
        url = self.base_url + path + _query(params)
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        call = urllib.request.Request(url, data=data, headers=headers, method=method)
        log.debug("%s %s", method, url)

        try:
            with _OPENER.open(call, timeout=timeout) as response:
                content: bytes = response.read()
                return content
        except urllib.error.HTTPError as exc:
            raise self._error(method, path, exc.code, exc.read()) from None
        except TimeoutError as exc:
            raise AppUnreachableError(
                f"the app (process {self.pid}) did not respond to {method} {path} within "
                f"{timeout:g} s"
            ) from exc
        except (urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AppUnreachableError(
                f"the app (process {self.pid}) at {self.base_url} did not respond: {reason}"
            ) from exc

    def _error(self, method: str, path: str, status: int, content: bytes) -> XeappError:
        """Build the xeapp error of an HTTP error response."""
        detail = _detail(content) or f"HTTP {status}"
        if status in (400, 422):
            return InvalidInputError(detail)
        if status == 404:
            return NotFoundError(detail)
        if status == 409:
            # Apart from target blocks that need confirmation, which the CLI checks before
            # sending, 409 carries an error that is not invalid input: exit 1 as locally.
            return XeappError(detail)
        if status == 401:
            return AppApiError(
                f"the app (process {self.pid}) rejected the API token in "
                f"{self.root / 'api-token'}: {detail}. The file changed after the app started; "
                "restart the app so that it reads the file again"
            )
        return AppApiError(
            f"the app (process {self.pid}) failed {method} {path} with HTTP {status}: {detail}; "
            f"its log is {self.root / 'logs'}"
        )


def _query(params: Mapping[str, QueryValue] | None) -> str:
    if not params:
        return ""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, str | int):
            pairs.append((name, str(value)))
        else:
            pairs.extend((name, item) for item in value)
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def _detail(content: bytes) -> str:
    """Return the message of a FastAPI error body: `detail` as text, or a validation list."""
    try:
        document = json.loads(content)
    except ValueError:
        return content.decode("utf-8", "replace").strip()[:500]
    detail = document.get("detail") if isinstance(document, dict) else document
    if isinstance(detail, list):
        # Validation errors: name the field and the problem, never the input, which may
        # contain a password.
        return "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
            for item in detail
            if isinstance(item, dict)
        )
    return str(detail or "")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
