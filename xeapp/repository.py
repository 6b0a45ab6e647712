"""The image repository: adds, verifies, lists and removes images in `repo/` and its table."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Literal, Protocol

from xeapp.errors import ImageError, InvalidInputError, NotFoundError
from xeapp.hashing import (
    CHUNK_SIZE,
    Digests,
    MultiHasher,
    ProgressCallback,
    check_digests,
    hash_file,
    normalize_expected,
)
from xeapp.images import parse_image_filename, validate_image_filename
from xeapp.platforms import image_fits
from xeapp.versions import parse_version

log = logging.getLogger(__name__)

AddMode = Literal["copy", "hardlink", "symlink"]
ADD_MODES: tuple[AddMode, ...] = ("copy", "hardlink", "symlink")
VERIFIED, UNVERIFIED, MISMATCH = "Verified", "Unverified", "Mismatch"
# The state list_images shows for a file in `repo/` that has no table record, for example
# after an unreadable table file was moved aside. Such a file is never served.
UNREGISTERED = "Unregistered"
ACTIVE_JOB_STATUSES = ("Pending", "Running")
# Free space kept on top of the image size, so the data directory never fills to the last byte.
DISK_MARGIN = 64 * 1024 * 1024
TEMP_PREFIX = ".incoming-"

Record = dict[str, Any]


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class StoreLike(Protocol):
    """The part of xeapp.store.Store the repository uses."""

    def add_image(self, image: Any) -> Record: ...
    def get_image(self, filename: str) -> Record | None: ...
    def list_images(self) -> list[Record]: ...
    def remove_image(self, filename: str) -> bool: ...
    def list_jobs(self) -> list[Record]: ...
    def list_devices(self) -> list[Record]: ...


class ImageInUseError(ImageError):
    """An image cannot be removed because pending or running jobs use it."""

    def __init__(self, filename: str, job_ids: list[str]) -> None:
        super().__init__(
            f"{filename} is used by pending or running jobs {', '.join(job_ids)}; "
            "cancel them or wait until they finish, then remove the image"
        )
        self.filename = filename
        self.job_ids = job_ids


class Repository:
    """Image files in `repo_dir`, one Repository table record per file.

    A file enters `repo_dir` under its final name only after its hashes matched the expected
    values. Until then it is a temporary file, which the image server does not serve.
    A file without a record (an unregistered file) is listed, can be removed, and is replaced
    or, when it is the file being added, registered in place by adding it again.
    """

    def __init__(self, repo_dir: Path, store: StoreLike) -> None:
        self.repo_dir = Path(repo_dir)
        self.store = store

    # Adding

    def add_stream(
        self,
        stream: Readable,
        filename: str,
        *,
        size: int | None = None,
        md5: str | None = None,
        sha512: str | None = None,
        version: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> Record:
        """Write an image from `stream` in CHUNK_SIZE pieces, hashing it on the way.

        `size` (bytes), when known, is checked against free disk space before writing and
        against the bytes received. Returns the stored record. Raises InvalidInputError for a bad
        name, hash value or version, ImageError for a duplicate name, missing disk space or a
        short or empty stream, and HashMismatchError (the file is deleted) when a hash differs.
        An unregistered file of the same name is replaced once the new file passed its checks.
        """
        name, fields = self._prepare(filename, md5, sha512, version)
        if size == 0:
            raise _empty_image_error(name)
        if size is not None:
            self._check_space(name, size)
        temp = self._temp_path()
        try:
            digests, written = _write_stream(stream, temp, size, progress)
            if size is not None and written != size:
                raise ImageError(f"{name}: received {written} of {size} bytes; upload it again")
            if written == 0:
                raise _empty_image_error(name)
            check_digests(name, digests, fields["md5_expected"], fields["sha512_expected"])
            target = self.repo_dir / name
            replaced = self._is_unregistered(name)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        if replaced:
            log.info("replaced the unregistered file %s in %s", name, self.repo_dir)
        return self._record(name, fields, digests, written, target, "copy")

    def add_file(
        self,
        source: Path,
        *,
        mode: AddMode = "copy",
        md5: str | None = None,
        sha512: str | None = None,
        version: str | None = None,
        filename: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> Record:
        """Add a local file by copying it, hard-linking it or symlinking to it.

        A symlinked image stays where it is. The record keeps the resolved target, and the
        image server serves the link only while it still points there. Adding the unregistered
        file `repo/NAME` itself registers it in place after checking its hashes, in any mode.
        Raises like add_stream, plus ImageError when `source` is missing or empty or a hard
        link crosses file systems.
        """
        if mode not in ADD_MODES:
            raise InvalidInputError(f"invalid add mode {mode!r}: expected one of {ADD_MODES}")
        source = Path(source)
        if not source.is_file():
            raise ImageError(f"{source} is not a file")
        name = filename or source.name
        if source.stat().st_size == 0:
            raise _empty_image_error(str(source))
        if self._is_unregistered(name) and _same_file(source, self.repo_dir / name):
            return self._register_in_place(name, md5, sha512, version, progress)
        if mode == "copy":
            with open(source, "rb") as stream:
                return self.add_stream(
                    stream,
                    name,
                    size=source.stat().st_size,
                    md5=md5,
                    sha512=sha512,
                    version=version,
                    progress=progress,
                )

        name, fields = self._prepare(name, md5, sha512, version)
        real = source.resolve()
        digests = hash_file(real, progress)
        check_digests(name, digests, fields["md5_expected"], fields["sha512_expected"])
        target = self.repo_dir / name
        try:
            if self._is_unregistered(name):
                target.unlink()
                log.info("replaced the unregistered file %s in %s", name, self.repo_dir)
            if mode == "hardlink":
                os.link(real, target)
            else:
                target.symlink_to(real)
        except OSError as error:
            raise ImageError(f"cannot {mode} {real} into {self.repo_dir}: {error}") from error
        return self._record(name, fields, digests, real.stat().st_size, target, mode, real)

    def _prepare(
        self, filename: str, md5: str | None, sha512: str | None, version: str | None
    ) -> tuple[str, Record]:
        """Validate everything about a new image before anything touches disk."""
        name = validate_image_filename(filename)
        fields: Record = {
            "md5_expected": normalize_expected(md5, "MD5"),
            "sha512_expected": normalize_expected(sha512, "SHA-512"),
        }
        info = parse_image_filename(name)
        if version is not None and version.strip():
            parsed = parse_version(version)
        elif info.version is not None:
            parsed = info.version
        else:
            raise InvalidInputError(
                f"cannot read the IOS-XE version from {name}; enter the version by hand"
            )
        fields["version"] = str(parsed)
        fields["family"] = info.family
        target = self.repo_dir / name
        if self.store.get_image(name) is not None:
            raise ImageError(f"{name} is already in the repository; remove it first to replace it")
        if target.is_dir() and not target.is_symlink():
            raise ImageError(f"{target} is a directory; move it out of the repository")
        self.repo_dir.mkdir(parents=True, exist_ok=True)
        return name, fields

    def _register_in_place(
        self,
        name: str,
        md5: str | None,
        sha512: str | None,
        version: str | None,
        progress: ProgressCallback | None,
    ) -> Record:
        """Hash an unregistered file where it is and store its record if the hashes match."""
        name, fields = self._prepare(name, md5, sha512, version)
        target = self.repo_dir / name
        digests = hash_file(target, progress)
        check_digests(name, digests, fields["md5_expected"], fields["sha512_expected"])
        log.info("registered %s, which was in %s without a record", name, self.repo_dir)
        if target.is_symlink():
            real = target.resolve()
            return self._record(name, fields, digests, real.stat().st_size, target, "symlink", real)
        return self._record(name, fields, digests, target.stat().st_size, target, "copy")

    def _is_unregistered(self, name: str) -> bool:
        """Tell whether `repo/NAME` exists without a record; False for an invalid name."""
        try:
            path = self.repo_dir / validate_image_filename(name)
        except InvalidInputError:
            return False
        return self.store.get_image(name) is None and (path.is_file() or path.is_symlink())

    def _check_space(self, name: str, size: int) -> None:
        free = shutil.disk_usage(self.repo_dir).free
        if size + DISK_MARGIN > free:
            raise ImageError(
                f"not enough disk space for {name}: it needs {size} bytes plus a "
                f"{DISK_MARGIN // 2**20} MiB margin, {free} bytes are free in {self.repo_dir}"
            )

    def _temp_path(self) -> Path:
        return self.repo_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex}.part"

    def _record(
        self,
        name: str,
        fields: Record,
        digests: Digests,
        size: int,
        target: Path,
        mode: AddMode,
        link_target: Path | None = None,
    ) -> Record:
        expected = fields["md5_expected"] or fields["sha512_expected"]
        record = {
            "filename": name,
            **fields,
            "size": size,
            "md5": digests.md5,
            "sha512": digests.sha512,
            "verified": VERIFIED if expected else UNVERIFIED,
            "file_path": str(target),
            "storage": mode,
            "link_target": str(link_target) if mode == "symlink" else None,
        }
        stored = self.store.add_image(record)
        log.info(
            "added image %s (%s, %d bytes, MD5 %s, %s)",
            name,
            mode,
            size,
            digests.md5,
            stored["verified"],
        )
        return stored

    # Reading, verifying, removing

    def list_images(self) -> list[Record]:
        """Return every image record with `devices`, the addresses of devices that use it.

        Unregistered files follow the records, with `verified` set to UNREGISTERED.
        """
        images = self.store.list_images()
        jobs = self.store.list_jobs()
        devices = self.store.list_devices()
        for image in images:
            image["devices"] = _devices_using(image, jobs, devices)
        return images + self.unregistered_files()

    def unregistered_files(self) -> list[Record]:
        """Return an entry for each file in `repo_dir` with an image name but no record.

        Files whose names are not valid image names (temporary uploads among them) are left
        out, since the repository can neither add nor remove them by name.
        """
        if not self.repo_dir.is_dir():
            return []
        registered = {str(image["filename"]) for image in self.store.list_images()}
        entries = []
        for path in sorted(self.repo_dir.iterdir()):
            if path.name in registered or not (path.is_file() or path.is_symlink()):
                continue
            try:
                validate_image_filename(path.name)
            except InvalidInputError:
                continue
            entries.append(_unregistered_entry(path))
        return entries

    def get(self, filename: str) -> Record:
        """Return one image record; raises NotFoundError."""
        record = self.store.get_image(filename)
        if record is None:
            if self._is_unregistered(filename):
                raise NotFoundError(
                    f"{filename} is in {self.repo_dir} but not registered in the repository; "
                    "add it again with its expected hash, or remove it"
                )
            raise NotFoundError(f"image {filename} not found in the repository")
        return record

    def devices_using(self, filename: str) -> list[str]:
        """Return the addresses of devices with a job for the image or running its version."""
        return _devices_using(self.get(filename), self.store.list_jobs(), self.store.list_devices())

    def verify(self, filename: str, progress: ProgressCallback | None = None) -> Record:
        """Hash the stored file again and store the result.

        Returns the updated record: Verified, or Unverified when no expected value exists.
        Raises NotFoundError, ImageError when the file is gone, and HashMismatchError after
        marking the record Mismatch.
        """
        record = self.get(filename)
        try:
            path = self.resolve_for_serving(filename)
            digests = hash_file(path, progress)
        except OSError as error:
            raise ImageError(f"cannot read {filename} from the repository: {error}") from error
        record.update(md5=digests.md5, sha512=digests.sha512, size=path.stat().st_size)
        try:
            check_digests(
                filename, digests, record.get("md5_expected"), record.get("sha512_expected")
            )
        except ImageError:
            record["verified"] = MISMATCH
            self.store.add_image(record)
            raise
        expected = record.get("md5_expected") or record.get("sha512_expected")
        record["verified"] = VERIFIED if expected else UNVERIFIED
        log.info("verified image %s: %s, MD5 %s", filename, record["verified"], digests.md5)
        return self.store.add_image(record)

    def remove(self, filename: str) -> None:
        """Delete an image file (or its link) and its record, or an unregistered file.

        Raises NotFoundError (also for an invalid name), and ImageInUseError while a Pending or
        Running job uses it.
        """
        record = self.store.get_image(filename)
        if record is None and not self._is_unregistered(filename):
            raise NotFoundError(f"image {filename} not found in the repository")
        # NOTE: a job created between this check and the deletion is not seen, so a job
        # should check that its image still exists when it starts.
        blocking = [
            str(job.get("job_id"))
            for job in self.store.list_jobs()
            if job.get("image") == filename and job.get("status") in ACTIVE_JOB_STATUSES
        ]
        if blocking:
            raise ImageInUseError(filename, blocking)
        with contextlib.suppress(FileNotFoundError):
            (self.repo_dir / filename).unlink()
        if record is None:
            log.info("removed the unregistered file %s from %s", filename, self.repo_dir)
            return
        self.store.remove_image(filename)
        log.info("removed image %s", filename)

    def resolve_for_serving(self, filename: str) -> Path:
        """Return the file to serve for `filename`; the image server's resolver.

        Raises FileNotFoundError unless the name is in the table and the file is a regular file
        in `repo_dir`, or a symlink the repository created that still points at its recorded
        target.
        """
        record = self.store.get_image(filename)
        if record is None:
            raise FileNotFoundError(f"{filename} is not in the repository")
        root = self.repo_dir.resolve()
        real = (root / record["filename"]).resolve(strict=True)
        if record.get("storage") == "symlink":
            if str(real) != record.get("link_target"):
                raise FileNotFoundError(
                    f"{filename} no longer points at {record.get('link_target')}"
                )
        elif real.parent != root:
            raise FileNotFoundError(f"{filename} points outside the repository")
        if not real.is_file():
            raise FileNotFoundError(f"{filename} is not a regular file")
        return real

    def remove_temp_files(self) -> int:
        """Delete temporary files left by interrupted uploads; returns how many."""
        count = 0
        for path in self.repo_dir.glob(f"{TEMP_PREFIX}*.part"):
            path.unlink(missing_ok=True)
            count += 1
        return count


def _write_stream(
    stream: Readable, target: Path, size: int | None, progress: ProgressCallback | None
) -> tuple[Digests, int]:
    hasher = MultiHasher()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except OSError as error:
        raise ImageError(f"cannot create {target}: {error}") from error
    with os.fdopen(fd, "wb", buffering=0) as out:
        try:
            while chunk := stream.read(CHUNK_SIZE):
                hasher.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(hasher.size, size)
            os.fsync(out.fileno())
        except OSError as error:
            raise ImageError(f"writing {target.name} failed: {error}") from error
    return hasher.digests(), hasher.size


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def _empty_image_error(name: str) -> ImageError:
    return ImageError(f"{name} is empty (0 bytes); download the image again")


def _unregistered_entry(path: Path) -> Record:
    info = parse_image_filename(path.name)
    try:
        size: int | None = path.stat().st_size
    except OSError:
        size = None  # a symbolic link whose target is gone
    return {
        "filename": path.name,
        "version": str(info.version) if info.version is not None else None,
        "family": info.family,
        "size": size,
        "verified": UNREGISTERED,
        "md5": None,
        "upload_date": None,
        "file_path": str(path),
        "storage": "symlink" if path.is_symlink() else None,
        "devices": [],
    }


def _devices_using(image: Record, jobs: list[Record], devices: list[Record]) -> list[str]:
    addresses = {str(job["target_ip"]) for job in jobs if job.get("image") == image["filename"]}
    version = image.get("version")
    if version:
        target = parse_version(version)
        for device in devices:
            current = device.get("current_version")
            with contextlib.suppress(InvalidInputError):
                if current and parse_version(current) == target and _family_fits(image, device):
                    addresses.add(str(device["ip_address"]))
    return sorted(addresses)


def _family_fits(image: Record, device: Record) -> bool:
    """Tell whether the image's family boots on the device; True when the PID is unknown."""
    pid = device.get("pid") or device.get("model")
    if not pid:
        return True
    try:
        return image_fits(image.get("family"), str(pid))
    except InvalidInputError:
        return False
