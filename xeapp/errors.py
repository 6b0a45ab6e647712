"""Exceptions xeapp raises: one base class, a subclass for each failure a user must tell apart."""

from __future__ import annotations


class XeappError(Exception):
    """Base of every error xeapp raises on purpose; its message is fit to show to a user."""


class InvalidInputError(XeappError, ValueError):
    """A value given by the user (a target, a file name, a hash, a setting) is invalid."""


class DataDirLockedError(XeappError):
    """Another live process holds the data directory lock."""

    def __init__(self, path: str, pid: int) -> None:
        super().__init__(
            f"data directory {path} is in use by process {pid}; stop that xeapp process "
            "or use another --data-dir"
        )
        self.path = path
        self.pid = pid


class StoreError(XeappError):
    """The store could not read or write a table."""


class CredentialsError(XeappError):
    """Credentials are missing or cannot be stored."""


class ImageError(XeappError):
    """An image file cannot be added, verified or served."""


class HashMismatchError(ImageError):
    """A computed hash differs from the expected one."""

    def __init__(self, filename: str, algorithm: str, expected: str, computed: str) -> None:
        super().__init__(
            f"{algorithm} of {filename} is {computed}, expected {expected}; the file is "
            "corrupt or not the image you meant, download it again"
        )
        self.filename = filename
        self.algorithm = algorithm
        self.expected = expected
        self.computed = computed


class DeviceError(XeappError):
    """A device operation failed; carries the device address and the step that failed."""

    def __init__(self, host: str, step: str, message: str) -> None:
        super().__init__(f"{host}: {step}: {message}")
        self.host = host
        self.step = step
        self.reason = message


class UnreachableError(DeviceError):
    """The device did not answer: connection refused, timed out or reset."""


class AuthenticationError(DeviceError):
    """The device rejected the credentials."""


class DeviceTimeoutError(DeviceError):
    """The device answered but did not finish an operation in time."""


class NetconfRpcError(DeviceError):
    """The device answered a NETCONF RPC with an rpc-error."""

    def __init__(self, host: str, step: str, tag: str, path: str | None, message: str) -> None:
        where = f" at {path}" if path else ""
        super().__init__(host, step, f"rpc-error {tag}{where}: {message}")
        self.tag = tag
        self.path = path


class TransferError(DeviceError):
    """Copying an image to the device failed."""


class InstallFailedError(DeviceError):
    """The device reported FAILED for an install operation."""


class NotFoundError(InvalidInputError):
    """A device, image or job named by the user is not in the store."""
