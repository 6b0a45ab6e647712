"""Parser for `show inventory`, on the ntc-templates `cisco_ios show inventory` template."""

from __future__ import annotations

from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers._text import normalise, parse_with_template

COMMAND = "show inventory"


@dataclass(frozen=True)
class InventoryItem:
    """One NAME/DESCR/PID/VID/SN entry; VID and serial number are empty when not printed."""

    name: str
    description: str
    pid: str
    vid: str
    serial_number: str


def parse_show_inventory(text: str) -> tuple[InventoryItem, ...]:
    """Parse `show inventory` output.

    Returns the items in output order. Raises ParserError when the text has no NAME: entry.
    """
    clean = normalise(text)
    if "NAME:" not in clean:
        raise ParserError(COMMAND, "no 'NAME:' entry")
    return tuple(
        InventoryItem(
            name=record["name"],
            description=record["descr"],
            pid=record["pid"].strip(),
            vid=record["vid"].strip(),
            serial_number=record["sn"].strip(),
        )
        for record in parse_with_template(COMMAND, clean)
    )


def chassis_items(items: tuple[InventoryItem, ...]) -> tuple[InventoryItem, ...]:
    """Return the chassis of a standalone device or the members of a stack.

    A stack lists "Switch 1", "Switch 2", ... entries; anything else lists one "Chassis".
    """
    members = tuple(
        item for item in items if item.name.startswith("Switch ") and "-" not in item.name
    )
    if members:
        return members
    return tuple(item for item in items if item.name == "Chassis")
