#!/usr/bin/env bash
# Create the virtual environment, installing Debian's venv support first if it is missing.
set -euo pipefail
venv=${1:-.venv}
python=$(command -v python3.11 || command -v python3 || true)
if [ -z "$python" ]; then
  echo "yingji needs Python 3.11 (Debian 12: apt-get install python3)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "yingji needs Python 3.11; $python is $("$python" --version 2>&1)" >&2
  exit 1
fi
if ! "$python" -m venv --help >/dev/null 2>&1 || ! "$python" -c 'import ensurepip' 2>/dev/null; then
  echo "installing Debian's python3-venv ..." >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q python3-venv
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
