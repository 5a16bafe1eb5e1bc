#!/usr/bin/env bash
# Run the whole test suite. Used by the README's test command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pytest -q -p no:cacheprovider "$@"
