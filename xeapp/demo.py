"""The demo: the lab's demo fleet in this process, its own data directory, demo images, the app.

Everything the demo starts binds loopback addresses only: the lab devices (127.0.0.10 and up,
or 127.0.0.1 with one port pair each where aliases are unavailable), the image server and the
UI. The demo data directory is `demo/` inside the data directory and is emptied at each start.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

from xeapp.credentials import Credentials
from xeapp.datadir import DataDir, DataDirLock
from xeapp.errors import InvalidInputError, XeappError
from xeapp.lab import Lab, start_lab
from xeapp.services import AppServices
from xeapp.targets import parse_csv_file

log = logging.getLogger(__name__)

DEMO_DIR_NAME = "demo"
MARKER_FILE = ".xeapp-demo"
LAB_INVENTORY_FILE = "lab-inventory.csv"
# The demo fleet starts here and takes the next addresses, one per device.
DEFAULT_LAB_BASE = "127.0.0.10"
# Lab devices accept these credentials (xeapp.lab.state.DeviceState defaults).
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "admin"
# Real image names for every platform family of the demo fleet, with their sizes in bytes.
# The files are pseudo-random bytes: the lab reads only the name and the MD5 of a copy.
DEMO_IMAGES = (
    ("cat9k_iosxe.17.12.04.SPA.bin", 6 * 2**20),
    ("cat9k_lite_iosxe.17.12.04.SPA.bin", 4 * 2**20),
    ("cat3k_caa-universalk9.16.12.12.SPA.bin", 4 * 2**20),
    ("isr4400-universalk9.17.12.04.SPA.bin", 4 * 2**20),
    ("c8000be-universalk9.17.12.04.SPA.bin", 4 * 2**20),
    ("asr1001x-universalk9.17.12.04.SPA.bin", 4 * 2**20),
    ("c8000v-universalk9.17.12.04.SPA.bin", 4 * 2**20),
)


def demo_root(data_root: Path) -> Path:
    return data_root / DEMO_DIR_NAME


def reset_demo_dir(root: Path) -> None:
    """Empty a demo data directory left by an earlier demo; never touches any other directory.

    The directory's lock is held while it is emptied, and the lock file is kept, because
    deleting it would let a second process lock a new file while the first still runs.

    Raises XeappError when `root` exists without the demo marker file, DataDirLockedError
    when a live process uses the directory.
    """
    if root.exists() and not (root / MARKER_FILE).is_file() and any(root.iterdir()):
        raise XeappError(
            f"{root} exists but was not created by `xeapp demo`; move it away or use "
            "another --data-dir"
        )
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    marker = root / MARKER_FILE
    if not marker.is_file():
        marker.write_text("created by xeapp demo; emptied at each demo start\n")

    with DataDirLock(DataDir(root).lock_file) as lock:
        for entry in root.iterdir():
            if entry in (lock.path, marker):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def write_demo_image(path: Path, size: int) -> str:
    """Write `size` pseudo-random bytes derived from the file name; return their MD5."""
    seed = hashlib.sha256(path.name.encode("utf-8")).digest()
    md5 = hashlib.md5(usedforsecurity=False)
    block = b""
    with open(path, "wb") as handle:
        written = 0
        counter = 0
        while written < size:
            block = hashlib.sha512(seed + counter.to_bytes(8, "big")).digest() * 1024
            chunk = block[: size - written]
            handle.write(chunk)
            md5.update(chunk)
            written += len(chunk)
            counter += 1
    return md5.hexdigest()


def add_demo_images(services: AppServices) -> None:
    """Generate the demo images and add them with their MD5 as the expected value."""
    staging = services.data_dir.root / "demo-images"
    staging.mkdir(exist_ok=True)
    for filename, size in DEMO_IMAGES:
        path = staging / filename
        md5 = write_demo_image(path, size)
        services.repository.add_file(path, mode="copy", md5=md5)
        path.unlink()
    staging.rmdir()


def prepare_demo(
    data_root: Path,
    *,
    image_server_port: int | None = None,
    reload_seconds: float = 3.0,
    lab_base: str = DEFAULT_LAB_BASE,
) -> tuple[AppServices, Lab]:
    """Start the demo fleet and build the app's services on a fresh demo data directory.

    Returns the services (not started yet) and the running lab; the caller stops both.
    """
    root = demo_root(data_root)
    reset_demo_dir(root)
    # NOTE: the lock is free for a moment between the reset and AppServices.open, which takes
    # it again. A process that takes it then makes this demo stop with DataDirLockedError.
    services = AppServices.open(
        root,
        demo=True,
        image_server_bind="127.0.0.1",
        image_server_port=image_server_port,
        use_keyring=False,
    )
    try:
        lab = _start_demo_lab(lab_base, reload_seconds)
        try:
            services.credentials.set(Credentials(DEMO_USERNAME, DEMO_PASSWORD))
            lab.write_inventory(root / LAB_INVENTORY_FILE)
            add_demo_images(services)
        except BaseException:
            lab.stop()
            raise
    except BaseException:
        services.stop()
        raise
    return services, lab


def _start_demo_lab(lab_base: str, reload_seconds: float) -> Lab:
    try:
        lab = start_lab("demo", base=lab_base, reload_seconds=reload_seconds)
    except ValueError as exc:
        raise InvalidInputError(f"invalid --lab-base: {exc}") from exc
    except OSError as exc:
        raise XeappError(f"cannot start the demo devices at {lab_base}: {exc}") from exc
    if len({device.ip for device in lab.devices}) < len(lab.devices):
        lab.stop()
        raise XeappError(
            "the demo needs one loopback address per device, but only 127.0.0.1 can be bound "
            "here; on macOS add the aliases first: "
            "for i in $(seq 10 21); do sudo ifconfig lo0 alias 127.0.0.$i up; done"
        )
    return lab


def load_demo_inventory(services: AppServices) -> None:
    """Import the lab's inventory CSV and discover every device in the background."""
    targets = parse_csv_file(services.data_dir.root / LAB_INVENTORY_FILE)
    services.add_devices(targets.targets)
    services.discover(targets.targets)
    log.info("demo: discovering %d lab devices", len(targets.targets))
