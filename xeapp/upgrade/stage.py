"""Staging: put the image on the device's filesystem with the right MD5, copying only if needed."""

from __future__ import annotations

import re

from xeapp.errors import DeviceError
from xeapp.parsers import ParserError
from xeapp.parsers.dir import parse_dir
from xeapp.upgrade.context import JobContext
from xeapp.upgrade.record import STEP_SKIPPED, STEP_STAGE, STEP_VERIFY, JobFailed
from xeapp.upgrade.session import Answer, CliSession

_DESTINATION = re.compile(r"Destination filename \[[^\]]*\]\?\s*$")
_OVERWRITE = re.compile(r"over\s*write\?\s*\[confirm\]\s*$", re.IGNORECASE)
_COPY_ERROR = re.compile(r"^%Error.*$", re.MULTILINE)
_BYTES_COPIED = re.compile(r"^(\d+) bytes copied in", re.MULTILINE)
_MD5 = re.compile(r"\)\s*=\s*([0-9a-fA-F]{32})\s*$", re.MULTILINE)


def image_path(context: JobContext) -> str:
    """Return `<fs>:<file>` of the image on the device's active member, e.g. `flash:x.bin`."""
    facts = context.facts
    filesystem = (facts.filesystem if facts else "") or "flash:"
    return f"{filesystem}{context.filename}"


def stage_image(context: JobContext, cli: CliSession) -> None:
    """Copy the image unless the device already has it with the expected MD5.

    A file of the same name with another size or MD5 is deleted first. Raises JobFailed with
    the device's error line when the copy fails or copies the wrong number of bytes.
    """
    recorder = context.recorder
    path = image_path(context)
    filesystem = path.split(":", 1)[0] + ":"
    recorder.start_step(STEP_STAGE, path)

    size = _file_size(cli, path)
    if size is not None:
        if size == context.image_size and device_md5(context, cli, path) == context.image_md5:
            recorder.finish_step(STEP_STAGE, STEP_SKIPPED, f"{path} is already there, MD5 matches")
            return
        recorder.line(f"{path} is there with another size or MD5; deleting it")
        delete_file(cli, path)
    context.check_cancel()

    if context.source_interface:
        cli.send_config(
            [f"ip http client source-interface {context.source_interface}"],
            step="set HTTP client source interface",
        )
    url = context.copy_url(context.host, context.filename)
    output = cli.run_interactive(
        f"copy {url} {filesystem}",
        step="copy image",
        timeout_s=context.options.copy_timeout_s(context.image_size),
        on_line=recorder.device_output,
        answers=[Answer(_DESTINATION, ""), Answer(_OVERWRITE, "")],
        on_poll=lambda: _report_progress(context),
    )
    _check_copy(context, output, path)
    recorder.progress(STEP_STAGE, context.image_size, context.image_size, force=True)
    recorder.finish_step(STEP_STAGE, message=f"copied {context.image_size} bytes to {path}")


def _check_copy(context: JobContext, output: str, path: str) -> None:
    error = _COPY_ERROR.search(output)
    if error:
        raise JobFailed(f"copy of {context.filename} to {path} failed: {error.group(0).strip()}")
    copied = _BYTES_COPIED.search(output)
    if copied is None:
        raise JobFailed(f"copy of {context.filename} to {path} ended without a bytes-copied line")
    size = int(copied.group(1))
    if context.image_size and size != context.image_size:
        raise JobFailed(
            f"copy to {path} wrote {size} bytes, the image has {context.image_size} bytes"
        )


def _report_progress(context: JobContext) -> None:
    context.check_cancel()
    sent = context.transfer_bytes(context.host, context.filename)
    if sent is not None:
        context.recorder.progress(STEP_STAGE, sent, context.image_size)


def verify_image(context: JobContext, cli: CliSession) -> None:
    """Run `verify /md5` on the staged image; a mismatch deletes the copy and fails the job."""
    recorder = context.recorder
    path = image_path(context)
    recorder.start_step(STEP_VERIFY, f"verify /md5 {path}")
    computed = device_md5(context, cli, path)
    if computed != context.image_md5:
        recorder.line(f"MD5 mismatch; deleting {path}")
        delete_file(cli, path)
        raise JobFailed(
            f"MD5 of {path} on the device is {computed or 'unknown'}, expected "
            f"{context.image_md5}; the copy was corrupt and was deleted"
        )
    recorder.finish_step(STEP_VERIFY, message=f"MD5 {computed} matches")


def device_md5(context: JobContext, cli: CliSession, path: str) -> str | None:
    """Return the MD5 `verify /md5` computes on the device, or None when it prints none."""
    output = cli.run_interactive(
        f"verify /md5 {path}",
        step="verify /md5",
        timeout_s=context.options.md5_timeout_s(context.image_size),
        on_line=context.recorder.device_output,
    )
    match = _MD5.search(output)
    return match.group(1).lower() if match else None


def delete_file(cli: CliSession, path: str) -> None:
    """Delete a file without prompts; raises DeviceError when the device rejects it."""
    output = cli.send_command(f"delete /force {path}", step="delete file")
    if "%Error" in output and "No such file" not in output:
        raise DeviceError(cli.host, "delete file", output.strip())


def _file_size(cli: CliSession, path: str) -> int | None:
    output = cli.send_command(f"dir {path}", step="dir")
    try:
        listing = parse_dir(output)
    except ParserError:
        return None
    entry = listing.find(path.split(":", 1)[1].lstrip("/"))
    return entry.size_bytes if entry else None
