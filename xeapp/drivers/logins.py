"""Build the DeviceLogin of a device from settings, its inventory record and the credentials."""

from __future__ import annotations

from typing import Any, Protocol

from xeapp.credentials import CredentialStore
from xeapp.drivers.connection import DeviceLogin
from xeapp.errors import CredentialsError
from xeapp.hostkeys import HostKeyStore
from xeapp.settings import Settings


class DeviceRecords(Protocol):
    """The part of the store a login needs: a device record by address."""

    def get_device(self, ip_address: str) -> dict[str, Any] | None: ...


class LoginResolver:
    """Turns an address (and optional ports and username) into a DeviceLogin.

    Ports come from the caller when given, else from the device's inventory record, else from
    settings, so a device already in the inventory keeps its ports. Credentials are the
    device's override when one is stored, else the app-wide ones; a username from a CSV row
    replaces the stored username.
    """

    def __init__(
        self,
        settings: Settings,
        credentials: CredentialStore,
        store: DeviceRecords | None = None,
        host_keys: HostKeyStore | None = None,
    ) -> None:
        self.settings = settings
        self.credentials = credentials
        self.store = store
        self.host_keys = host_keys

    def login(
        self,
        ip_address: str,
        *,
        ssh_port: int | None = None,
        netconf_port: int | None = None,
        username: str | None = None,
    ) -> DeviceLogin:
        """Return the login for one device.

        Raises CredentialsError when no credentials are set for it or app-wide.
        """
        stored = self.store.get_device(ip_address) if self.store is not None else None
        stored = stored or {}
        credentials = self.credentials.get(ip_address)
        if credentials is None:
            raise CredentialsError(
                f"no credentials for {ip_address}; run `xeapp credentials set` or set "
                "XEAPP_USERNAME and XEAPP_PASSWORD"
            )
        return DeviceLogin(
            host=ip_address,
            username=username or credentials.username,
            password=credentials.password,
            enable_secret=credentials.enable_secret,
            ssh_port=ssh_port or stored.get("ssh_port") or self.settings.ssh_port,
            netconf_port=netconf_port or stored.get("netconf_port") or self.settings.netconf_port,
            connect_timeout_s=float(self.settings.connect_timeout_s),
            command_timeout_s=float(self.settings.command_timeout_s),
            host_keys=self.host_keys,
        )
