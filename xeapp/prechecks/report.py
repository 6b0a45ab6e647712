"""Export pre-check results as CSV and as a self-contained HTML report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from html import escape

from xeapp.prechecks.model import DevicePrechecks, Result, now_iso

CSV_COLUMNS = (
    "ip_address",
    "image",
    "ready",
    "acknowledged",
    "check_name",
    "result",
    "message",
    "ran_at",
    "read",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_COLOURS = {Result.PASS: "#1b7f3b", Result.WARN: "#a86400", Result.FAIL: "#b3261e"}


def _cell(value: object) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def to_csv(devices: Iterable[DevicePrechecks]) -> str:
    """Return one CSV row per check of every device, with a header row.

    Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for device in devices:
        for check in device.checks:
            row = (
                device.ip_address,
                device.image,
                "yes" if device.ready else "no",
                "yes" if device.acknowledged else "no",
                check.check_name,
                check.result.value,
                check.message,
                check.ran_at,
                check.read,
            )
            writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def to_html(devices: Iterable[DevicePrechecks], title: str = "xeapp pre-check report") -> str:
    """Return an HTML page with a summary count per result and a table per device.

    Every value from a device or the repository is HTML-escaped.
    """
    device_list = list(devices)
    totals = {result: 0 for result in Result}
    for device in device_list:
        for check in device.checks:
            totals[check.result] += 1
    summary = ", ".join(f"{totals[result]} {result.value}" for result in Result)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        "</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Generated {escape(now_iso())}: {len(device_list)} devices; {escape(summary)}.</p>",
    ]
    for device in device_list:
        parts.append(_device_section(device))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _device_section(device: DevicePrechecks) -> str:
    if not device.ready:
        state = "not ready (a check failed)"
    elif device.needs_acknowledgement:
        state = "ready once the warnings are acknowledged"
    else:
        state = "ready"
    rows = [
        f"<h2>{escape(device.ip_address)}: {escape(state)}</h2>",
        f"<p>Image {escape(device.image)}</p>",
        "<table><tr><th>Check</th><th>Result</th><th>Message</th><th>Read</th><th>Ran at</th></tr>",
    ]
    for check in device.checks:
        colour = _COLOURS[check.result]
        rows.append(
            f"<tr><td>{escape(check.check_name)}</td>"
            f'<td style="color:{colour};font-weight:bold">{escape(check.result.value)}</td>'
            f"<td>{escape(check.message)}</td><td>{escape(check.read)}</td>"
            f"<td>{escape(check.ran_at)}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)
