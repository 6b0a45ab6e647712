"""Memory use of a 1 GiB upload through the streaming API stays flat."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Runs in a child process so ru_maxrss (peak RSS of that process, KiB on Linux, bytes on
# macOS) measures the upload alone. A 16 MiB upload first sets the baseline peak.
UPLOAD = """
import json, os, resource, sys
from pathlib import Path
from xeapp.repository import Repository
from xeapp.store import Store

class Generated:
    def __init__(self, size):
        self.block = os.urandom(1 << 20)
        self.left = size
    def read(self, size=-1):
        count = min(self.left, len(self.block), size if size > 0 else len(self.block))
        self.left -= count
        return self.block[:count]

def peak():
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale

root = Path(sys.argv[1])
store = Store(root / "db")
repo = Repository(root / "repo", store)
small = 16 << 20
repo.add_stream(Generated(small), "small.bin", size=small, version="17.9.4")
baseline = peak()
big = int(sys.argv[2])
record = repo.add_stream(Generated(big), "big.bin", size=big, version="17.9.4")
store.close()
print(json.dumps({"baseline": baseline, "peak": peak(), "size": record["size"]}))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage is POSIX only")
def test_1gib_upload_flat_memory(tmp_path: Path) -> None:
    size = 1 << 30
    result = subprocess.run(
        [sys.executable, "-c", UPLOAD, str(tmp_path), str(size)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["size"] == size
    growth = figures["peak"] - figures["baseline"]
    assert growth < 16 << 20, f"peak RSS grew by {growth} bytes during a 1 GiB upload"
