"""The scorecard pages as a person sees them: real headless Chromium, no network (tests/browser.py).

Skipped when Chromium is not installed; `.ci/run` installs it (Debian package `chromium`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint import api
from mlops_lint.cli import main
from mlops_lint.diagnostics import Severity
from mlops_lint.scorecard.practices import PRACTICES
from tests.browser import Browser, Tab, find_chromium

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
CHARTS = """Array.from(document.querySelectorAll('svg.chart')).map(function(svg){
  var ids=(svg.getAttribute('aria-labelledby')||'').split(' ').filter(Boolean);
  return {role: svg.getAttribute('role'),
          words: ids.map(function(i){var e=document.getElementById(i);return e?e.textContent.trim():''}),
          table: !!svg.closest('section').querySelector('table')}})"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    started = Browser(CHROMIUM)
    yield started
    started.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    report, card = folder / "report.html", folder / "card.json"
    runner = CliRunner()
    for args in (["-o", str(report)], ["--output-format", "json", "-o", str(card)]):
        result = runner.invoke(main, ["report", str(EXAMPLES), "--no-history", "--no-cache", *args])
        assert result.exit_code == 0, result.output
    fleet = folder / "fleet.html"
    result = runner.invoke(main, ["report", "--merge", str(card), str(card), str(card), "-o", str(fleet)])
    assert result.exit_code == 0, result.output
    return {"report": report, "fleet": fleet}


def _clean_load(tab: Tab) -> None:
    assert tab.page.console == []
    assert tab.page.requests == [tab.page.url]  # the page itself, nothing else: no CDN, font or image


@pytest.mark.parametrize("width", [1280, 375])
def test_report_page(browser: Browser, pages: dict[str, Path], width: int) -> None:
    with browser.page(pages["report"], width) as tab:
        _clean_load(tab)
        assert tab.evaluate(NO_HORIZONTAL_SCROLL)
        for practice in PRACTICES:
            shown = tab.evaluate(f"document.querySelector('#p-{practice.id} h3 span:last-child').textContent")
            assert shown == "n/a" or 0 <= float(shown) <= 10, practice.id
            visible = tab.evaluate(f"document.querySelector('#p-{practice.id}').getBoundingClientRect().width > 0")
            assert visible, practice.id
        charts = tab.evaluate(CHARTS)
        assert len(charts) >= 3
        for chart in charts:
            assert chart["role"] == "img" and len(chart["words"]) == 2 and all(chart["words"]), chart
            assert chart["table"] or "Folders" in chart["words"][0], chart  # the numbers are also in words


def test_report_works_without_javascript(browser: Browser, pages: dict[str, Path]) -> None:
    with browser.page(pages["report"], 375, javascript=False) as tab:
        _clean_load(tab)
        assert tab.evaluate(NO_HORIZONTAL_SCROLL)
        assert tab.evaluate("document.getElementById('filters').hidden")  # controls that need JS stay hidden
        rows = tab.evaluate("document.querySelectorAll('#findings-table tbody tr').length")
        assert rows == 15
        assert tab.evaluate("document.querySelector('#findings-table tbody tr').getBoundingClientRect().height > 0")


def test_report_sorting_and_filtering(browser: Browser, pages: dict[str, Path]) -> None:
    with browser.page(pages["report"], 1280) as tab:
        tab.evaluate("document.querySelector('#filters [name=severity]').value='error'")
        tab.evaluate("document.querySelector('#filters [name=severity]').dispatchEvent(new Event('input'))")
        errors = sum(
            d.severity is Severity.ERROR for d in api.lint([EXAMPLES], api.Overrides(history="none")).diagnostics
        )
        assert errors > 0 and tab.evaluate("document.getElementById('shown').textContent") == str(errors)
        first = "document.querySelector('#scores-table tbody tr td').textContent"
        tab.evaluate("document.querySelectorAll('#scores-table th')[1].click()")  # by score, ascending
        assert tab.evaluate(first) == "Data versioning and validation"
        tab.evaluate("location.hash='#rule-MLD005'")  # a check's link opens the rule's documentation
        opened = "new Promise(function(r){setTimeout(function(){r(document.getElementById('rule-MLD005').open)},50)})"
        assert tab.evaluate(opened) is True
        _clean_load(tab)


@pytest.mark.parametrize("width", [1280, 375])
def test_fleet_page(browser: Browser, pages: dict[str, Path], width: int) -> None:
    with browser.page(pages["fleet"], width) as tab:
        _clean_load(tab)
        assert tab.evaluate(NO_HORIZONTAL_SCROLL)
        assert tab.evaluate("document.querySelectorAll('#fleet-table tbody tr').length") == 3
        assert all(chart["role"] == "img" and all(chart["words"]) for chart in tab.evaluate(CHARTS))


def test_screenshots(browser: Browser, pages: dict[str, Path], tmp_path: Path) -> None:
    """The PNGs a person looks at (scripts/report_screenshots.py writes the README's)."""
    for width in (1280, 375):
        with browser.page(pages["report"], width) as tab:
            shot = tab.screenshot(tmp_path / f"report-{width}.png")
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") == width  # the IHDR width: the page did not overflow it
