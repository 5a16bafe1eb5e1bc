"""Regenerate docs/report-screenshot.png from a report file (headless Debian chromium via Playwright).

    python scripts/screenshot_report.py REPORT.html [-o docs/report-screenshot.png] [--scale me]
        [--width 1280] [--height 1600] [--full-page]

Without REPORT it builds the report of the SYNTHETIC test audit (tests/report_fixtures.py) with the
shared boundaries first. The default image is the top of the report (framework, bubble chart) at
1280 px wide; ``--full-page`` captures the whole page.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def _synthetic_report(tmp: Path) -> Path:
    sys.path.insert(0, str(REPO / "tests"))
    from report_fixtures import write_synthetic_audit
    from sia.report import build_report

    root = Path(os.environ.get("SIA_SHARED_DATA") or REPO.parent / "shared" / "data")
    boundaries = root / "boundaries" if (root / "boundaries").is_dir() else None
    audit = write_synthetic_audit(tmp / "audit")
    return build_report(audit, tmp / "report.html", boundaries_dir=boundaries).html_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", nargs="?", type=Path, help="report HTML (default: build the synthetic one)")
    parser.add_argument("-o", "--output", type=Path, default=REPO / "docs" / "report-screenshot.png")
    parser.add_argument("--scale", help="scale id to show (default: the first)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--full-page", action="store_true")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} not found (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        report = args.report or _synthetic_report(Path(tmp))
        if not report.exists():
            print(f"error: {report} does not exist", file=sys.stderr)
            return 2
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height}, device_scale_factor=1)
            page.goto(report.resolve().as_uri(), wait_until="load", timeout=120_000)
            if args.scale:
                page.select_option("#scale-select", args.scale)
            page.wait_for_function("document.querySelectorAll('.chart.rendered').length > 0", timeout=60_000)
            page.wait_for_timeout(800)  # let plotly finish its transitions
            args.output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.output), full_page=args.full_page)
            browser.close()
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
