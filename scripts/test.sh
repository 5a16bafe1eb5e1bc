#!/usr/bin/env bash
# Run the whole test suite with the project's virtualenv (after `bash scripts/setup.sh --dev`).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
