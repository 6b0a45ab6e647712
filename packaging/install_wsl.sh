#!/usr/bin/env bash
# Install xeapp for the current user on Debian or Ubuntu, in particular under WSL on Windows.
#
# Usage: packaging/install_wsl.sh [SOURCE]
#   SOURCE  what pip installs: a checkout directory, a wheel, or a URL pip accepts
#           (default: the checkout this script is in)
#   XEAPP_VENV  virtual environment to create (default: ~/.local/share/xeapp-venv)
#
# Installs python3-venv and python3-pip with apt-get (through sudo unless run as root),
# creates the virtual environment, installs xeapp into it and links the xeapp command into
# ~/.local/bin. Running it again upgrades xeapp in the same environment.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${XEAPP_VENV:-$HOME/.local/share/xeapp-venv}"
bin_dir="$HOME/.local/bin"

if [ $# -gt 1 ]; then
    echo "usage: $0 [SOURCE]" >&2
    exit 2
fi
source_spec="${1:-$(dirname "$script_dir")}"
if [ $# -eq 0 ] && [ ! -f "$source_spec/pyproject.toml" ]; then
    echo "install_wsl.sh: $source_spec is not an xeapp checkout; give the checkout, a wheel" \
        "or a URL as the first argument" >&2
    exit 2
fi

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

if ! command -v apt-get >/dev/null; then
    echo "install_wsl.sh: apt-get not found; this script supports Debian and Ubuntu only" >&2
    exit 1
fi

# xeapp needs Python 3.11 or newer: Debian 12 and Ubuntu 24.04 ship it as python3, Ubuntu
# 22.04 ships 3.10 as python3 and 3.11 as the separate python3.11 package.
python_is_recent() {
    "$1" -c 'import sys; raise SystemExit(sys.version_info < (3, 11))' 2>/dev/null
}

echo "== installing Python packages with apt-get"
as_root apt-get update -q
as_root apt-get install -y -q python3 python3-venv python3-pip
python=python3
if ! python_is_recent python3; then
    echo "python3 is older than 3.11; installing python3.11"
    as_root apt-get install -y -q python3.11 python3.11-venv
    python=python3.11
fi
if ! python_is_recent "$python"; then
    echo "install_wsl.sh: no Python 3.11 or newer is available from apt on this system" >&2
    exit 1
fi

echo "== creating the virtual environment $venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip

echo "== installing xeapp from $source_spec"
"$venv/bin/python" -m pip install --quiet --upgrade "$source_spec"

mkdir -p "$bin_dir"
ln -sf "$venv/bin/xeapp" "$bin_dir/xeapp"
version="$("$venv/bin/xeapp" --version)"

case ":$PATH:" in
*":$bin_dir:"*) path_hint="" ;;
*) path_hint="
$bin_dir is not on your PATH yet. Add it for this shell and later ones:
    echo 'export PATH=\"\$HOME/.local/bin:\$PATH\"' >> ~/.bashrc && export PATH=\"\$HOME/.local/bin:\$PATH\"
" ;;
esac

cat <<EOF

$version is installed in $venv and linked as $bin_dir/xeapp.
$path_hint
Start the demo (simulated devices, no hardware needed):
    xeapp demo --browser
Start the app for real devices:
    xeapp run --browser

Open the UI from a Windows browser at http://localhost:8766/ for the demo and
http://localhost:8765/ for the app (the ui_port setting). WSL2 forwards localhost ports to
Windows, and the UI binds 127.0.0.1 inside WSL, so it stays local to this PC. Data (settings, inventory, images, logs) is in ~/.local/share/xeapp, or in the
directory given with --data-dir or XEAPP_DATA_DIR.

Devices copy images from the image server of xeapp (port 80, or 8080 when 80 cannot be
bound), so they must reach that port on the Windows machine:
  - WSL2 with networkingMode=mirrored in %UserProfile%\\.wslconfig (Windows 11 22H2 or
    newer) shares the Windows addresses, so only the Windows firewall must allow the port.
  - With the default NAT networking, forward the port from Windows to WSL. In an
    administrator PowerShell, with the address shown by \`hostname -I\` in WSL:
        netsh interface portproxy add v4tov4 listenaddress=0.0.0.0 listenport=80 \`
            connectaddress=<WSL address> connectport=80
        New-NetFirewallRule -DisplayName "xeapp image server" -Direction Inbound \`
            -Protocol TCP -LocalPort 80 -Action Allow
    The WSL address changes when WSL restarts, so the port proxy needs updating then.
  - In both cases set the image server address on the Settings page to the Windows
    address the devices reach, because the address xeapp sees inside WSL is not that one.
  - Port 80 needs root inside WSL. To let your user bind it:
        echo 'net.ipv4.ip_unprivileged_port_start=80' | sudo tee /etc/sysctl.d/50-xeapp.conf
        sudo sysctl --system
    Otherwise xeapp serves images on port 8080: use 8080 in the commands above.
EOF
