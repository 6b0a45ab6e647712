#!/bin/sh
# Container entrypoint: apply XEAPP_UI_PASSWORD(_FILE), then run xeapp with the arguments.
set -eu

/opt/xeapp/bin/python /opt/xeapp/set_ui_password.py
exec xeapp "$@"
