"""The built sample in a real browser, served under a sub-path: pages load with
no console errors and no failed requests, and the layout holds at 390 and 1280 px."""
from __future__ import annotations

import pytest

from browser import driver, static_host  # noqa: F401 - driver is a fixture

PAGES = {
    "front page": "",
    "article": "2025/09/09/trade-envoys-meet-in-kuala-lumpur/",
    "tag page": "tags/trade/",
    "404 page": "no/such/page/at/any/depth/",
}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_loads_cleanly_and_fits_the_width(sample_build_under_sub_path, driver, name, width):
    with static_host(sample_build_under_sub_path, "/news/") as (base, failures):
        driver.set_window_size(width, 900)
        driver.get_log("browser")   # drop anything from earlier pages
        driver.get(base + PAGES[name])
        state = driver.execute_script("""
            const sheet = [...document.styleSheets].find(s => s.href && s.href.endsWith('/news/css/site.css'));
            return {
              title: document.title,
              h1: document.querySelector('h1') && document.querySelector('h1').textContent.trim(),
              cssRules: sheet ? sheet.cssRules.length : 0,
              scrollWidth: document.documentElement.scrollWidth,
              innerWidth: window.innerWidth,
              images: [...document.images].map(i => [i.currentSrc, i.complete && i.naturalWidth > 0]),
              headerColor: getComputedStyle(document.querySelector('.site-header')).borderBottomStyle,
            };""")
        logs = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    expected_failures = [f"404 /news/{PAGES[name]}"] if name == "404 page" else []
    assert failures == expected_failures
    if name == "404 page":   # the browser reports the page's own 404 status, nothing else
        logs = [entry for entry in logs if "404" not in entry["message"] or PAGES[name] not in entry["message"]]
    assert logs == []
    assert state["cssRules"] > 20, "the stylesheet did not load under the sub-path"
    assert state["headerColor"] == "solid"
    assert state["scrollWidth"] <= state["innerWidth"], f"horizontal scroll at {width}px"
    assert all(loaded for _, loaded in state["images"]), state["images"]
    assert state["h1"]
    if name == "404 page":
        assert state["h1"] == "Page not found"
