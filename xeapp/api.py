"""The local HTTP API: FastAPI routes under /api/ for every UI action, for loopback clients only.

Every request needs `Authorization: Bearer <token>` with the token from the data directory's
`api-token` file (created at start-up, readable by the user alone). While the app runs, the
`api-endpoint` file in the data directory names its host, port and PID, so CLI commands on the
same data directory can find it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from xeapp.credentials import Credentials
from xeapp.datadir import atomic_write
from xeapp.discovery import facts_to_record
from xeapp.errors import InvalidInputError, NotFoundError, XeappError
from xeapp.services import AppServices
from xeapp.targets import LargeTargetBlockError, Target, parse_targets

log = logging.getLogger(__name__)

TOKEN_FILE = "api-token"
ENDPOINT_FILE = "api-endpoint"
# Lines of device output a remedy response carries: the end, with its SUCCESS line.
OUTPUT_TAIL_LINES = 20
T = TypeVar("T")


# Token and endpoint files


def ensure_token(root: Path) -> str:
    """Return the API token of a data directory, creating it (mode 0600) when missing."""
    path = root / TOKEN_FILE
    with contextlib.suppress(FileNotFoundError):
        token = path.read_text(encoding="ascii").strip()
        if token:
            return token
    token = secrets.token_urlsafe(32)
    atomic_write(path, f"{token}\n".encode("ascii"))
    os.chmod(path, 0o600)
    return token


def write_endpoint(root: Path, host: str, port: int) -> None:
    """Record where the running app's API answers; loopback even when the UI binds wider."""
    api_host = host if _is_loopback(host) else "127.0.0.1"
    document = {"host": api_host, "port": port, "pid": os.getpid()}
    atomic_write(root / ENDPOINT_FILE, json.dumps(document).encode("utf-8"))


def remove_endpoint(root: Path) -> None:
    """Delete the endpoint file if this process wrote it."""
    with contextlib.suppress(FileNotFoundError, ValueError, KeyError):
        document = json.loads((root / ENDPOINT_FILE).read_text(encoding="utf-8"))
        if document["pid"] == os.getpid():
            (root / ENDPOINT_FILE).unlink()


def read_endpoint(root: Path) -> dict[str, Any] | None:
    """Return `{host, port, pid}` of the app running on a data directory, or None."""
    try:
        document = json.loads((root / ENDPOINT_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    import psutil

    if not isinstance(document, dict) or not psutil.pid_exists(int(document.get("pid", -1))):
        return None
    return document


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


# Request bodies


class AddDevices(BaseModel):
    targets: list[str] = Field(description="addresses, ranges (a-b) or CIDR blocks")
    ssh_port: int | None = None
    netconf_port: int | None = None
    confirm_large: bool = Field(False, description="allow blocks larger than a /22")
    discover: bool = True


class TargetBody(BaseModel):
    ip_address: str
    ssh_port: int | None = Field(None, description="none means the stored port, else the setting")
    netconf_port: int | None = Field(
        None, description="none means the stored port, else the setting"
    )
    username: str | None = Field(None, description="none means the stored credentials")


class ReadDevices(BaseModel):
    targets: list[TargetBody]


class Addresses(BaseModel):
    addresses: list[str] | None = Field(None, description="device addresses; none means all")


class NetconfToggle(BaseModel):
    addresses: list[str]
    enable: bool
    save: bool = False


class AddImage(BaseModel):
    path: str = Field(description="path of the image file on the machine running the app")
    mode: str = Field("copy", description="copy, hardlink or symlink")
    md5: str | None = None
    sha512: str | None = None
    version: str | None = None


class RunPrechecks(BaseModel):
    addresses: list[str]
    image: str
    ssh_port: int | None = Field(
        None, description="with either port, devices outside the inventory are checked too"
    )
    netconf_port: int | None = None


class FreeFlash(BaseModel):
    image: str = Field(description="image file name in the repository that disk_space checks")
    ssh_port: int | None = Field(
        None, description="with either port, a device outside the inventory is reached too"
    )
    netconf_port: int | None = None


class SetCredentials(BaseModel):
    username: str
    password: str
    enable_secret: str | None = None
    device: str | None = Field(None, description="device address; none means app-wide")


class SubmitJobs(BaseModel):
    addresses: list[str]
    image: str
    at: datetime | None = Field(None, description="ISO 8601 with a UTC offset; none means now")
    two_phase: bool = False
    stop_after_failures: int | None = Field(
        None, description="cancel the batch's pending jobs after this many failures"
    )
    acknowledge_warnings: bool = Field(
        False, description="accept pre-check warnings, stored or found when the job starts"
    )
    source_interface: str | None = Field(
        None, description="interface devices copy the image from (ip http client source-interface)"
    )


# Routes


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except LargeTargetBlockError as exc:
        raise HTTPException(409, str(exc)) from exc
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except InvalidInputError as exc:
        raise HTTPException(400, str(exc)) from exc
    except XeappError as exc:
        raise HTTPException(409, str(exc)) from exc


def _call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with _mapped_errors():
        return function(*args, **kwargs)


def build_router(services: AppServices, token: str) -> APIRouter:
    """Return the /api/ routes; each checks the client address and the Bearer token."""

    def authorize(request: Request) -> None:
        client = request.client.host if request.client else ""
        if not _is_loopback(client):
            raise HTTPException(403, "the API accepts loopback clients only")
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(value.strip(), token):
            raise HTTPException(
                401,
                f"missing or wrong Bearer token; read it from {TOKEN_FILE} in the data directory",
                headers={"WWW-Authenticate": "Bearer"},
            )

    router = APIRouter(prefix="/api", dependencies=[Depends(authorize)], tags=["xeapp"])
    store = services.store

    @router.get("/status")
    def status() -> dict[str, Any]:
        server = services.image_server_status()
        return {
            "data_dir": str(services.data_dir.root),
            "demo": services.demo,
            "image_server": {
                "url": server.url,
                "port": server.port,
                "running": server.running,
                "fallback_reason": server.fallback_reason,
            },
            "running_jobs": services.running_job_count(),
        }

    @router.get("/devices")
    def list_devices() -> list[dict[str, Any]]:
        return store.list_devices()

    @router.post("/devices")
    def add_devices(body: AddDevices) -> dict[str, Any]:
        targets = _call(
            parse_targets,
            body.targets,
            ssh_port=body.ssh_port,
            netconf_port=body.netconf_port,
            confirmed=body.confirm_large,
        )
        added = _call(services.add_devices, targets.targets)
        if body.discover and targets.targets:
            services.discover(targets.targets)
        return {
            "added": [d["ip_address"] for d in added],
            "targets": [t.ip_address for t in targets.targets],
            "problems": [str(p) for p in targets.problems],
            "discovering": body.discover and bool(targets.targets),
        }

    @router.post("/devices/discover")
    def discover(body: Addresses) -> dict[str, Any]:
        addresses = body.addresses or [d["ip_address"] for d in store.list_devices()]
        targets = _call(services.targets_for, addresses)
        services.discover(targets)
        return {"discovering": [t.ip_address for t in targets]}

    @router.post("/discovery")
    def read_devices(body: ReadDevices) -> list[dict[str, Any]]:
        """Read devices now, store what was read, and return it in request order."""
        targets = [Target(**t.model_dump()) for t in body.targets]
        sweep = services.discover(targets)
        sweep.wait()
        order = {target.key: index for index, target in enumerate(targets)}
        results = sorted(sweep.results, key=lambda r: order.get(r.target.key, 0))
        return [{"online": r.online, "device": facts_to_record(r.facts)} for r in results]

    @router.delete("/devices/{ip_address}")
    def remove_device(ip_address: str) -> dict[str, Any]:
        if not _call(store.remove_device, ip_address):
            raise HTTPException(404, f"device {ip_address} not found")
        return {"removed": ip_address}

    @router.delete("/devices")
    def clear_devices() -> dict[str, Any]:
        store.clear_inventory()
        return {"cleared": True}

    @router.post("/devices/netconf")
    def toggle_netconf(body: NetconfToggle) -> dict[str, Any]:
        _call(services.targets_for, body.addresses)
        future = _call(services.set_netconf, body.addresses, body.enable, save=body.save)
        results = future.result()
        return {"results": [r.__dict__ for r in results]}

    @router.get("/images")
    def list_images() -> list[dict[str, Any]]:
        return services.repository.list_images()

    @router.post("/images")
    def add_image(body: AddImage) -> dict[str, Any]:
        return _call(
            services.repository.add_file,
            Path(body.path),
            mode=body.mode,
            md5=body.md5,
            sha512=body.sha512,
            version=body.version,
        )

    @router.post("/images/{filename}/verify")
    def verify_image(filename: str) -> dict[str, Any]:
        return _call(services.repository.verify, filename)

    @router.delete("/images/{filename}")
    def remove_image(filename: str) -> dict[str, Any]:
        _call(services.repository.remove, filename)
        return {"removed": filename}

    @router.post("/prechecks")
    def run_prechecks(body: RunPrechecks) -> list[dict[str, Any]]:
        if body.ssh_port is None and body.netconf_port is None:
            future = _call(services.run_prechecks, body.addresses, body.image)
        else:
            _call(services.prechecks.target_image, body.image)
            targets = [Target(a, body.ssh_port, body.netconf_port) for a in body.addresses]
            future = services.submit(services.prechecks.run, targets, body.image)
        with _mapped_errors():
            future.result()
        return [_precheck_json(services, a) for a in body.addresses]

    @router.get("/prechecks")
    def precheck_results(ip_address: str | None = None) -> list[dict[str, Any]]:
        addresses = (
            [ip_address]
            if ip_address
            else sorted({r["ip_address"] for r in store.list_prechecks()})
        )
        return [_precheck_json(services, a) for a in addresses]

    @router.get("/prechecks/report")
    def precheck_report(report_format: str, ip_address: list[str] | None = None) -> Response:
        """Return the CSV or HTML report of stored results (all devices without ip_address)."""
        addresses = ip_address or sorted({r["ip_address"] for r in store.list_prechecks()})
        content, filename, media_type = _call(services.precheck_report, addresses, report_format)
        disposition = f'attachment; filename="{filename}"'
        return Response(
            content, media_type=media_type, headers={"Content-Disposition": disposition}
        )

    @router.post("/prechecks/{ip_address}/acknowledge")
    def acknowledge(ip_address: str) -> dict[str, Any]:
        _call(services.acknowledge_prechecks, ip_address)
        return _precheck_json(services, ip_address)

    @router.post("/prechecks/{ip_address}/remove-inactive")
    def remove_inactive(ip_address: str, body: FreeFlash) -> dict[str, Any]:
        """Run `install remove inactive` on the device, then rerun and store disk_space."""
        future = _call(
            services.free_flash,
            ip_address,
            body.image,
            ssh_port=body.ssh_port,
            netconf_port=body.netconf_port,
        )
        with _mapped_errors():
            remedy = future.result()
        check = remedy.recheck
        return {
            "ip_address": remedy.ip_address,
            "files_deleted": remedy.files_deleted,
            "output_tail": remedy.output.splitlines()[-OUTPUT_TAIL_LINES:],
            "disk_space": {
                "check_name": check.check_name,
                "result": check.result.value,
                "message": check.message,
            },
            "prechecks": _precheck_json(services, remedy.ip_address),
        }

    @router.get("/jobs")
    def list_jobs() -> list[dict[str, Any]]:
        return store.list_jobs()

    @router.post("/jobs")
    def submit_jobs(body: SubmitJobs) -> list[dict[str, Any]]:
        return _call(
            services.schedule_upgrades,
            body.addresses,
            body.image,
            at=body.at,
            two_phase=body.two_phase,
            stop_after_failures=body.stop_after_failures,
            acknowledge_warnings=body.acknowledge_warnings,
            source_interface=body.source_interface,
        )

    @router.get("/jobs/{job_id}")
    def get_job(job_id: str) -> dict[str, Any]:
        job = store.get_job(job_id)
        if job is None:
            raise HTTPException(404, f"job {job_id} not found")
        return job

    @router.post("/jobs/{job_id}/cancel")
    def cancel_job(job_id: str) -> dict[str, Any]:
        return _call(services.cancel_job, job_id)

    @router.delete("/jobs/{job_id}")
    def clear_job(job_id: str) -> dict[str, Any]:
        _call(services.clear_job, job_id)
        return {"cleared": job_id}

    @router.delete("/jobs")
    def clear_jobs() -> dict[str, Any]:
        return {"cleared": _call(services.clear_finished_jobs)}

    @router.get("/jobs/{job_id}/log")
    def job_log(job_id: str, after: int = 0) -> dict[str, Any]:
        if store.get_job(job_id) is None:
            raise HTTPException(404, f"job {job_id} not found")
        lines = services.job_logs.read(job_id)
        return {"job_id": job_id, "first_line": after + 1, "lines": lines[after:]}

    @router.put("/credentials")
    def set_credentials(body: SetCredentials) -> dict[str, Any]:
        credentials = Credentials(body.username, body.password, body.enable_secret)
        _call(services.credentials.set, credentials, body.device)
        return {
            "backend": services.credentials.backend_name,
            "credentials": services.credentials.describe(body.device),
        }

    @router.delete("/credentials")
    def clear_credentials(device: str | None = None) -> dict[str, Any]:
        return {"cleared": _call(services.credentials.clear, device)}

    return router


def _precheck_json(services: AppServices, address: str) -> dict[str, Any]:
    outcome = services.precheck_outcome(address)
    if outcome is None:
        return {"ip_address": address, "image": None, "ready": False, "checks": []}
    return outcome.to_json()


def install_api(app: FastAPI, services: AppServices) -> str:
    """Add the API routes to `app` and return the token clients must send."""
    token = ensure_token(services.data_dir.root)
    app.include_router(build_router(services, token))

    @app.exception_handler(XeappError)
    async def xeapp_error(_request: Request, exc: XeappError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    return token
