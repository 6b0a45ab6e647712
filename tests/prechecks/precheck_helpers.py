"""Helpers of the pre-check tests: lab addresses, repository images and the service."""

from __future__ import annotations

import hashlib
from pathlib import Path

from xeapp.credentials import Credentials, CredentialStore
from xeapp.drivers.logins import LoginResolver
from xeapp.hostkeys import HostKeyStore
from xeapp.lab import LabDevice
from xeapp.prechecks import PrecheckService
from xeapp.repository import Repository
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.targets import Target

# A loopback block of its own, so these labs never share an address with other test modules.
DEMO_BASE = "127.0.6.10"
SINGLE_BASE = "127.0.6.100"
LAB_USERNAME = "admin"
LAB_PASSWORD = "admin"

# The demo target release, 17.12.4, in the image family of each platform of the demo fleet.
# The 3850 gets a 16.12 image because 16.12 is the last release train of that platform.
IMAGES = {
    "cat9k": "cat9k_iosxe.17.12.04.SPA.bin",
    "cat9k_lite": "cat9k_lite_iosxe.17.12.04.SPA.bin",
    "cat3k": "cat3k_caa-universalk9.16.12.12.SPA.bin",
    "isr4400": "isr4400-universalk9.17.12.04.SPA.bin",
    "c8000be": "c8000be-universalk9.17.12.04.SPA.bin",
    "asr1001x": "asr1001x-universalk9.17.12.04.SPA.bin",
    "c8000v": "c8000v-universalk9.17.12.04.SPA.bin",
}
UNVERIFIED_IMAGE = "cat9k_iosxe.17.12.05.SPA.bin"
IMAGE_BYTES = 1_000_000  # the image files are small; their size is what the checks read


def device_target(device: LabDevice) -> Target:
    """Return the target of a lab device with its own ports."""
    return Target(device.ip, device.ssh_port, device.netconf_port)


def fill_repository(root: Path, store: Store) -> None:
    """Add every image of IMAGES as Verified (MD5 given) and UNVERIFIED_IMAGE without an MD5."""
    repository = Repository(root / "repo", store)
    sources = root / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate([*IMAGES.values(), UNVERIFIED_IMAGE]):
        path = sources / name
        path.write_bytes(bytes([index]) * IMAGE_BYTES)
        md5 = hashlib.md5(path.read_bytes()).hexdigest() if name != UNVERIFIED_IMAGE else None
        repository.add_file(path, md5=md5)


def make_service(root: Path, store: Store, workers: int = 8) -> PrecheckService:
    """Return a service on lab credentials with short timeouts."""
    (root / "credentials").mkdir(parents=True, exist_ok=True)
    credentials = CredentialStore(root / "credentials", keyring_backend=None)
    credentials.set(Credentials(LAB_USERNAME, LAB_PASSWORD))
    settings = Settings(connect_timeout_s=3, command_timeout_s=15)
    resolver = LoginResolver(settings, credentials, store, HostKeyStore(root / "known_hosts"))
    return PrecheckService(resolver, store, workers=workers)
