"""Draw the xeapp icon and write assets/xeapp.png and assets/xeapp.ico.

The icon is drawn from shapes only (no font), so the output is the same on every machine.
Pillow is needed only to run this script, not to run or bundle xeapp:

    .venv/bin/pip install pillow && .venv/bin/python packaging/make_icon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 512
BACKGROUND = (4, 74, 128)  # dark blue
STACK = (255, 255, 255)
ARROW = (109, 200, 75)  # green: the upgrade went through
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


def draw_icon(size: int = SIZE) -> Image.Image:
    """Draw a stack of three switches with an upward arrow on a rounded square."""
    scale = size / SIZE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=int(96 * scale), fill=BACKGROUND)

    # Three stack members, each with a row of port lights.
    for row in range(3):
        top = int((236 + row * 80) * scale)
        box = (int(64 * scale), top, int(328 * scale), top + int(56 * scale))
        draw.rounded_rectangle(box, radius=int(10 * scale), fill=STACK)
        for port in range(6):
            left = int((88 + port * 36) * scale)
            port_top = top + int(20 * scale)
            draw.rectangle(
                (left, port_top, left + int(20 * scale), port_top + int(16 * scale)),
                fill=BACKGROUND,
            )

    # The upgrade arrow to the right of the stack.
    shaft = (int(384 * scale), int(200 * scale), int(440 * scale), int(448 * scale))
    draw.rectangle(shaft, fill=ARROW)
    head = [
        (int(332 * scale), int(220 * scale)),
        (int(412 * scale), int(72 * scale)),
        (int(492 * scale), int(220 * scale)),
    ]
    draw.polygon(head, fill=ARROW)
    return image


def main() -> None:
    ASSETS_DIR.mkdir(exist_ok=True)
    image = draw_icon()
    image.save(ASSETS_DIR / "xeapp.png", optimize=True)
    image.save(ASSETS_DIR / "xeapp.ico", sizes=ICO_SIZES)
    print(f"wrote {ASSETS_DIR / 'xeapp.png'} and {ASSETS_DIR / 'xeapp.ico'}")


if __name__ == "__main__":
    main()
