#!/usr/bin/env bash
# Build the xeapp PyInstaller bundle with the Python of the current virtual environment.
#
# Usage: packaging/build.sh [--onefile]
#   Output: dist/xeapp/xeapp (one folder: ship the whole dist/xeapp directory),
#           or dist/onefile/xeapp with --onefile.
#   PYTHON  interpreter to build with (default: $VIRTUAL_ENV/bin/python, else .venv/bin/python)
#   XEAPP_WINDOWED=1  build without a console window (Windows, macOS)
# PyInstaller is installed into that environment first, with pip.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

distpath="$root/dist"
if [ "${1:-}" = "--onefile" ]; then
    export XEAPP_ONEFILE=1
    distpath="$root/dist/onefile"
elif [ -n "${1:-}" ]; then
    echo "usage: packaging/build.sh [--onefile]" >&2
    exit 2
fi

if [ -n "${PYTHON:-}" ]; then
    python="$PYTHON"
elif [ -n "${VIRTUAL_ENV:-}" ]; then
    python="$VIRTUAL_ENV/bin/python"
else
    python="$root/.venv/bin/python"
fi
if [ ! -x "$python" ]; then
    echo "build.sh: no Python at $python; activate the venv xeapp is installed in, or set PYTHON" >&2
    exit 1
fi
if ! "$python" -c "import xeapp" 2>/dev/null; then
    echo "build.sh: xeapp is not installed in $python; run: $python -m pip install -e ." >&2
    exit 1
fi

"$python" -m pip install --quiet "pyinstaller>=6.10"

start="$(date +%s)"
"$python" -m PyInstaller --noconfirm --clean \
    --distpath "$distpath" --workpath "$root/build/pyinstaller" \
    "$root/packaging/xeapp.spec"
elapsed=$(($(date +%s) - start))

output="$distpath/xeapp"
if [ -d "$output" ]; then
    output="$output/xeapp"
fi
echo "built $output in ${elapsed}s ($(du -sh "$(dirname "$output")" | cut -f1) on disk)"
