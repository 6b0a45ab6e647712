#!/usr/bin/env bash
# Check the packaging files: shell scripts, compose file, Nix flake and, when asked, the
# PyInstaller bundle. Exits non-zero on the first failure.
#
#   XEAPP_CHECK_BUNDLE=1      also build the bundle and start it headless (about a minute)
#   XEAPP_NIX_FLAKE_CHECK=0   skip `nix flake check` where nix is installed (it fetches nixpkgs)
#   PYTHON                    interpreter with xeapp installed (default: .venv/bin/python)
#
# The shellcheck tool and a compose implementation (`docker compose` or docker-compose) must be
# installed; the Nix checks run only where nix is.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
python="${PYTHON:-$root/.venv/bin/python}"

echo "== shellcheck"
shellcheck packaging/*.sh

echo "== compose config"
compose_file=packaging/docker-compose.yml
# The compose file requires XEAPP_UI_PASSWORD to be set. This value serves only the check.
export XEAPP_UI_PASSWORD=check-only-password
if docker compose version >/dev/null 2>&1; then
    docker compose -f "$compose_file" config --quiet
elif command -v docker-compose >/dev/null; then
    docker-compose -f "$compose_file" config --quiet
else
    echo "check.sh: neither 'docker compose' nor docker-compose is installed" >&2
    exit 1
fi
"$python" -m pytest -q -p no:cacheprovider tests/packaging/test_container_files.py

echo "== nix"
if command -v nix-instantiate >/dev/null; then
    nix-instantiate --parse packaging/flake.nix >/dev/null
    echo "flake.nix parses"
else
    echo "nix-instantiate not installed; flake.nix not parsed"
fi
if command -v nix >/dev/null && [ "${XEAPP_NIX_FLAKE_CHECK:-1}" != "0" ]; then
    nix --extra-experimental-features "nix-command flakes" flake check "path:$root/packaging"
else
    echo "nix flake check skipped (nix not installed or XEAPP_NIX_FLAKE_CHECK=0)"
fi

if [ "${XEAPP_CHECK_BUNDLE:-0}" = "1" ]; then
    echo "== PyInstaller bundle"
    PYTHON="$python" packaging/build.sh
    XEAPP_BUNDLE_DIR="$root/dist/xeapp" "$python" -m pytest -q -p no:cacheprovider \
        tests/packaging/test_bundle.py
else
    echo "== PyInstaller bundle skipped (set XEAPP_CHECK_BUNDLE=1 to build and start it)"
fi
echo "== packaging checks passed"
