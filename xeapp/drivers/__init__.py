"""Device drivers: a NETCONF session (ncclient) and an SSH CLI session (netmiko) per device."""

from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.netconf import NetconfDriver
from xeapp.drivers.ssh import SshDriver

__all__ = ["DeviceLogin", "NetconfDriver", "SshDriver"]
