#!/usr/bin/env bash
# Rebuild src/sia/report/assets/plotly-sia.min.js.gz: the partial plotly.js bundle inlined in the HTML report.
#
#   scripts/build_plotly_bundle.sh            # PYTHON=/path/to/python to use another interpreter than .venv
#
# plotly.js version: 4.1.1, the one the installed Python plotly ships (plotly.offline.get_plotlyjs_version());
#   the figures' JSON is written by Python plotly, so the two must match. When Python plotly is upgraded, run
#   this script again: it then installs the new plotly.js version and updates scripts/plotly-bundle/package*.json
#   (commit them with the new bundle). Otherwise it installs exactly what scripts/plotly-bundle/package-lock.json
#   pins (npm ci) and rebuilds the same bytes.
# Traces: scatter, bar, heatmap, choropleth, scattergeo, treemap (plotly.js lib/core plus lib/<trace>, as in
#   plotly.js CUSTOM_BUNDLE.md). lib/core also holds every layout component (annotations, shapes, legend,
#   colorbar, error bars, hover, ...). Maplibre "map" traces are not included: their CSS import is emptied.
#   Add a trace here if the report starts using one (tests/test_report_plotly_bundle.py checks the figures).
# Needs: node >= 20 and npm with the npm registry reachable; nothing else is downloaded. The bundle is minified
#   with esbuild, wrapped like plotly.js's own dist files (window.Plotly) and gzipped with mtime=0 (byte-stable).
#   The bundle itself never reaches the network for the report's maps: they pass their GeoJSON in the figure
#   and the page defines an empty world_110m topology (sia.report.maps.GEO_ASSETS_STUB) before plotly.js runs.
#
# plotly.js licence (kept in the bundle: plotly.js's own banner, this licence text and the dependencies'
# licence comments at the end of the file):
#
#   MIT License
#
#   Copyright (c) 2016-2024 Plotly Technologies Inc.
#
#   Permission is hereby granted, free of charge, to any person obtaining a copy
#   of this software and associated documentation files (the "Software"), to deal
#   in the Software without restriction, including without limitation the rights
#   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
#   copies of the Software, and to permit persons to whom the Software is
#   furnished to do so, subject to the following conditions:
#
#   The above copyright notice and this permission notice shall be included in
#   all copies or substantial portions of the Software.
#
#   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
#   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
#   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
#   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
#   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
#   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
#   THE SOFTWARE.
set -euo pipefail

TRACES=(scatter bar heatmap choropleth scattergeo treemap)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
PINS=$REPO/scripts/plotly-bundle
OUT=$REPO/src/sia/report/assets/plotly-sia.min.js.gz

want=$("$PYTHON" -c 'import plotly.offline; print(plotly.offline.get_plotlyjs_version())')
pinned=$(node -p 'require(process.argv[1]).dependencies["plotly.js"]' "$PINS/package.json")

work=$(mktemp -d "${TMPDIR:-/tmp}/sia-plotly-bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$PINS/package.json" "$work/"
cd "$work"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
if [[ "$want" == "$pinned" && -f "$PINS/package-lock.json" ]]; then
  cp "$PINS/package-lock.json" .
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
else
  echo "plotly.js $pinned -> $want (the version Python plotly ships): updating scripts/plotly-bundle/package*.json" >&2
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error --save-exact "plotly.js@$want"
  cp package.json package-lock.json "$PINS/"
fi
got=$(node -p 'require("plotly.js/package.json").version')
if [[ "$got" != "$want" ]]; then
  echo "error: npm installed plotly.js $got, Python plotly ships plotly.js $want" >&2
  exit 1
fi

{
  echo "'use strict';"
  echo "var Plotly = require('plotly.js/lib/core');"
  echo "Plotly.register(["
  for t in "${TRACES[@]}"; do [[ "$t" == scatter ]] || echo "    require('plotly.js/lib/$t'),"; done
  echo "]);"
  echo "module.exports = Plotly;"
} > entry.js
# scatter is registered by lib/core itself (plotly.js cannot leave it out); registering it again is a no-op.

TRACE_LIST="${TRACES[*]}" node --input-type=module - <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const require = createRequire(process.cwd() + '/');
const version = require('plotly.js/package.json').version;
const dist = readFileSync(require.resolve('plotly.js/dist/plotly.min.js'), 'utf8');
const banner = dist.slice(0, dist.indexOf('*/') + 2);  // plotly.js's own licence banner, as in its dist files
if (!banner.includes(`plotly.js v${version}`)) { throw new Error('unexpected plotly.js banner: ' + banner); }
const licence = readFileSync(require.resolve('plotly.js/LICENSE'), 'utf8').trim();
const traces = process.env.TRACE_LIST.split(' ').join(', ');
const result = await esbuild.build({
  entryPoints: ['entry.js'], bundle: true, format: 'iife', globalName: 'Plotly', minify: true, target: 'es2016',
  legalComments: 'eof', charset: 'utf8', write: false, outfile: 'plotly-sia.min.js', logLevel: 'warning',
  // as plotly.js's esbuild-config.js
  define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  loader: { '.css': 'empty' },  // only maplibre-gl's CSS, for the "map" traces left out
  banner: { js: banner + '\n/*\n* Partial bundle for the sia report, traces: ' + traces +
    ' (scripts/build_plotly_bundle.sh).\n*\n' + licence.split('\n').map((l) => ('* ' + l).trimEnd()).join('\n') +
    '\n*/\n(\n function(root, factory) {\n  if (typeof module === "object" && module.exports) {\n' +
    '   module.exports = factory();\n  } else {\n   root.moduleName = factory();\n  }\n' +
    '} (typeof self !== "undefined" ? self : this, () => {' },
  footer: { js: '\nwindow.Plotly = Plotly;\nreturn Plotly;\n}));' },
});
writeFileSync('plotly-sia.min.js', result.outputFiles[0].contents);
EOF

"$PYTHON" - "$work/plotly-sia.min.js" "$OUT" <<'EOF'
import gzip
import sys
from pathlib import Path

raw = Path(sys.argv[1]).read_bytes()
packed = gzip.compress(raw, compresslevel=9, mtime=0)
out = Path(sys.argv[2])
out.parent.mkdir(parents=True, exist_ok=True)
out.write_bytes(packed)
print(f"{out}: {len(raw):,} bytes of JavaScript, {len(packed):,} gzipped")
EOF
