#!/usr/bin/env bash
# Install sia into .venv (and, with --dev and as root, the Debian packages its browser and database tests use).
#   bash scripts/setup.sh          # the package with the report extra: enough to run an audit
#   bash scripts/setup.sh --dev    # everything the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."
extras="report"
if [ "${1:-}" = "--dev" ]; then
  extras="dev"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    pkgs=$(grep -v '^#' .ci/apt-packages.txt | tr '\n' ' ')
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
  else
    echo "note: not root; install these Debian packages for the browser and PostgreSQL tests: $(grep -v '^#' .ci/apt-packages.txt | tr '\n' ' ')" >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -U pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
