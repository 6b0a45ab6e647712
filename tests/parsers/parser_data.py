"""Real device outputs in tests/data, listed for parametrised parser tests."""

from pathlib import Path

DATA = Path(__file__).parent.parent / "data"


def data_files(folder: str, pattern: str = "*.txt") -> list[Path]:
    """Return every file of one kind, so a file added to tests/data is tested automatically."""
    return sorted((DATA / folder).glob(pattern))


def read(path: Path) -> str:
    """Return the file text with its line ends kept (several captures use CRLF)."""
    with path.open(newline="") as handle:
        return handle.read()
