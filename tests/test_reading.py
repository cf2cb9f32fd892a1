"""The reader's page in a real browser (headless Chromium): nothing moves while
it loads, the header is the same with JavaScript on or off, text and links keep
their contrast (axe) in the light and dark schemes and when hovered or focused,
and an article prints as the story alone.

The sample archive is built at the domain root and under /news/. /js/search.js
is served late (browser.SLOW_SECONDS), so it always runs after the first paint,
which is when its change to the header used to shift the page.

Screenshots of each page at 1280 and 390 px, light and dark, and the article
printed to PDF, are written to tests/artifacts/ (git-ignored) for a reviewer.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from browser import driver, emulate_media, force_pseudo_state, save_full_page_screenshot, static_host  # noqa: F401
from conftest import REPO

AXE = REPO / "tests/tools/node_modules/axe-core/axe.min.js"
ARTIFACTS = REPO / "tests/artifacts"
PAGES = {
    "front": "",
    "article": "2025/09/09/trade-envoys-meet-in-kuala-lumpur/",
    "tag": "tags/trade/",
}
WIDTHS = (1280, 390)
PREFIXES = ("/", "/news/")

# Where the first screen's parts are: the header and what is in it, and the headline.
LAYOUT_JS = """
const box = selector => {
  const element = document.querySelector(selector);
  if (!element) return null;
  const r = element.getBoundingClientRect();
  return [r.x, r.y, r.width, r.height].map(v => Math.round(v * 100) / 100);
};
const nav = document.querySelector('.site-nav');
return {header: box('.site-header'), title: box('.site-title'), nav: box('.site-nav'),
        search: box('.site-search'), h1: box('main h1'), main: box('main'),
        article: box('main .article'), rail: box('main .related'),
        navScrolls: nav.scrollWidth > nav.clientWidth,
        pageScrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
"""

# Every layout shift since the page started loading (buffered), once the page
# has settled: two frames after the load event, which waits for deferred scripts.
LAYOUT_SHIFT_JS = """
const done = arguments[arguments.length - 1];
let total = 0;
const shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    total += entry.value;
    shifts.push({value: entry.value, at: Math.round(entry.startTime),
                 sources: entry.sources.map(s => s.node ? String(s.node.className || s.node.nodeName) : '?')});
  }
}).observe({type: 'layout-shift', buffered: true});
requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done({
  total, shifts, searchBoxShown: !document.querySelector('.search-box').hidden}), 300)));
"""

AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, arguments[0]).then(
  result => done(result.violations.map(v => v.id + ' (' + v.impact + '): ' +
                                       v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary).join(' | '))),
  error => done(['axe failed: ' + error]));
"""
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
CONTRAST = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
            "resultTypes": ["violations"]}

FOCUS_RINGS_JS = """
const rgb = text => (text.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
return [...document.querySelectorAll('a')].filter(a => a.getClientRects().length).map(a => {
  const style = getComputedStyle(a);
  return {link: (a.closest('[class]') || a).className + ' ' + a.textContent.trim().slice(0, 30),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: rgb(style.outlineColor)};
}).concat([{link: 'page background', style: 'solid', width: 3,
            color: rgb(getComputedStyle(document.body).backgroundColor)}]);
"""


@pytest.fixture(scope="module")
def sites(sample_build, sample_build_under_sub_path) -> dict[str, Path]:
    """The sample archive built for the domain root (site.yaml's base_url) and for
    a sub-path: the session's shared builds, which tests only read."""
    assert "base_url: https://example.org/\n" in (REPO / "site.yaml").read_text(encoding="utf-8")
    return {"/": sample_build, "/news/": sample_build_under_sub_path}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm install --prefix tests/tools` (see README)")
    return AXE.read_text(encoding="utf-8")


def relative_luminance(rgb) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def load(driver, url: str, width: int, scripts: bool = True) -> None:
    driver.set_window_size(width, 900)
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": not scripts})
    try:
        driver.get(url)
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("prefix", PREFIXES)
def test_nothing_moves_and_the_header_is_the_same_with_or_without_script(sites, driver, prefix, name, width):
    with static_host(sites[prefix], prefix, slow=(prefix + "js/search.js",)) as (base, failures):
        emulate_media(driver)
        load(driver, base + PAGES[name], width)
        shift = driver.execute_async_script(LAYOUT_SHIFT_JS)
        scripted = driver.execute_script(LAYOUT_JS)
        load(driver, base + PAGES[name], width, scripts=False)
        plain = driver.execute_script(LAYOUT_JS)
        still_hidden = driver.execute_script("return document.querySelector('.search-box').hidden")
    assert failures == []
    assert shift["searchBoxShown"] and still_hidden, "the script should show the search box, and only the script"
    assert shift["total"] == 0, shift["shifts"]
    assert scripted == plain
    header = plain["header"][3]
    if width == 390:
        # A compact masthead: title and search on one row, the navigation on one scrolling row.
        assert header < 100, header
        assert plain["nav"][3] < 45 and plain["navScrolls"], plain["nav"]
        assert plain["title"][1] == pytest.approx(plain["search"][1], abs=12)
    else:
        # One row: title, navigation and search side by side.
        assert header < 80, header
        assert plain["title"][1] < plain["nav"][1] + plain["nav"][3] and plain["search"][0] > plain["nav"][0]
    assert plain["pageScrollWidth"] <= plain["innerWidth"]
    if name == "article" and width == 1280:
        # The story's column is centred, or the related stories fill the rail beside it.
        article, rail = plain["article"], plain["rail"]
        assert rail[0] > article[0] + article[2], (article, rail)
        left, right = article[0], plain["innerWidth"] - (rail[0] + rail[2])
        assert abs(left - right) < 40, (left, right)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_contrast_and_focus_in_both_schemes_and_screenshots(sites, driver, axe_source, scheme, width, name):
    driver.set_script_timeout(60)
    with static_host(sites["/news/"], "/news/") as (base, failures):
        emulate_media(driver, color_scheme=scheme)
        load(driver, base + PAGES[name], width)
        background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        save_full_page_screenshot(driver, ARTIFACTS / "screenshots" / f"{name}-{width}-{scheme}.png")
        driver.execute_script(axe_source)
        violations = driver.execute_async_script(AXE_RUN_JS, WCAG_AA)
        # Hovered links (headlines, navigation, bylines) keep their contrast too.
        hovered = force_pseudo_state(driver, "a", ["hover"])
        hover_violations = driver.execute_async_script(AXE_RUN_JS, CONTRAST)
        force_pseudo_state(driver, "a", ["focus", "focus-visible"])
        rings = driver.execute_script(FOCUS_RINGS_JS)
    assert failures == []
    assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background
    assert violations == []
    assert hovered > 10 and hover_violations == []
    *links, page = rings
    for ring in links:
        assert ring["style"] == "solid" and ring["width"] >= 2, ring
        assert contrast(ring["color"], page["color"]) >= 3, ring


def test_an_article_prints_as_the_story_alone(sites, driver):
    with static_host(sites["/"], "/") as (base, failures):
        load(driver, base + PAGES["article"], 1280)
        emulate_media(driver, media="print")
        try:
            shown = driver.execute_script("""
                const shown = selector => [...document.querySelectorAll(selector)].some(
                  e => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0);
                return Object.fromEntries(arguments[0].map(s => [s, shown(s)]));""",
                ["main h1", ".article .dek", ".article .byline", ".article .dateline", ".article-body p",
                 ".site-title", ".site-nav", ".site-search", ".breadcrumbs", ".related", ".pager",
                 ".article-footer", ".site-footer", ".skip-link"])
            pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
        finally:
            emulate_media(driver)
    assert failures == []
    assert shown == {"main h1": True, ".article .dek": True, ".article .byline": True, ".article .dateline": True,
                     ".article-body p": True, ".site-title": True, ".site-nav": False, ".site-search": False,
                     ".breadcrumbs": False, ".related": False, ".pager": False, ".article-footer": False,
                     ".site-footer": False, ".skip-link": False}
    data = base64.b64decode(pdf["data"])
    assert data.startswith(b"%PDF")
    (ARTIFACTS / "print").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "print" / "article.pdf").write_bytes(data)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 1 <= pages <= 4, pages
