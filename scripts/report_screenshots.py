"""Screenshots of the example project's scorecard, as a person sees it, for the README and for review.

    python scripts/report_screenshots.py              # writes docs/scorecard-1280.png and docs/scorecard-375.png
    python scripts/report_screenshots.py --full out/  # also the whole page at both widths, to look at

Runs `mlops-lint report examples/ -o report.html` and opens the page in headless Chromium (the
`chromium` package) through `tests/browser.py`, with no network. The date on the page is the last
commit's (SOURCE_DATE_EPOCH), so the picture changes only when the report does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import Browser, find_chromium  # noqa: E402

TOP_HEIGHT = {1280: 1500, 375: 1500}  # the README shows the top of the page: the score, the chart, the table


def render_example(target: Path) -> None:
    epoch = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch or "0", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "mlops_lint.cli", "report", "examples/", "--no-cache", "-o", str(target)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the README's PNGs go")
    parser.add_argument("--full", type=Path, help="also write whole-page PNGs here")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "report.html"
        render_example(page)
        browser = Browser(chromium)
        try:
            for width, height in TOP_HEIGHT.items():
                with browser.page(page, width) as tab:
                    if tab.page.console or tab.page.requests != [tab.page.url]:
                        print(f"warning: {tab.page.console} {tab.page.requests}", file=sys.stderr)
                    args.out.mkdir(parents=True, exist_ok=True)
                    print(tab.screenshot(args.out / f"scorecard-{width}.png", height=height))
                    if args.full:
                        args.full.mkdir(parents=True, exist_ok=True)
                        print(tab.screenshot(args.full / f"scorecard-{width}-full.png"))
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
