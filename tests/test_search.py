"""Full-text search: Pagefind's index of the sample, used in a real browser
under a sub-path; drafts left out; --no-search writes nothing of it."""
from __future__ import annotations

import time

import pytest

from browser import driver, static_host  # noqa: F401 - driver is a fixture
from conftest import article, copy_sample_project, make_project, override_template, read_tree, run_build

PUBLISHED_URLS = sorted([
    "/news/2025/11/08/veteran-crews-dominate-tokyo-masters-regatta/",
    "/news/2025/11/01/lagos-observers-urge-faster-results-upload/",
    "/news/2025/10/21/regional-cholera-vaccine-stockpile-launched/",
    "/news/2025/10/14/boundary-review-proposes-new-constituency-map/",
    "/news/2025/10/14/tariff-truce-extension-lifts-shipping-stocks/",
    "/news/2025/10/07/sao-paulo-solar-storage-auction/",
    "/news/2025/09/30/swiss-glacier-survey-records-steep-loss/",
    "/news/2025/09/09/trade-envoys-meet-in-kuala-lumpur/",
    "/news/2025/08/28/banks-insurers-climate-disclosure-rules/",
    "/news/2025/08/12/monsoon-late-surge-lifts-kharif-sowing/",
])


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    root = copy_sample_project(tmp_path_factory.mktemp("search"))
    result = run_build(root, "--base-url", "https://example.org/news/")
    assert result.returncode == 0, result.stderr
    assert "search index rebuilt" in result.stdout
    return root / "site"


def wait_for(driver, script: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


RESULT_LINKS = "return [...document.querySelectorAll('.pagefind-ui__result-link')].map(a => a.getAttribute('href'))"


def search_for(driver, base: str, words: str) -> list[str]:
    driver.get(base + "search/")
    wait_for(driver, "return document.querySelector('.pagefind-ui__search-input')")
    box = driver.find_element("css selector", ".pagefind-ui__search-input")
    box.clear()
    box.send_keys(words)
    return wait_for(driver, RESULT_LINKS)


def test_a_word_in_one_body_finds_that_article_first_and_opens_it(search_site, driver):
    with static_host(search_site, "/news/") as (base, failures):
        links = search_for(driver, base, "Sumida")
        assert links[0] == "/news/2025/11/08/veteran-crews-dominate-tokyo-masters-regatta/"
        meta = driver.execute_script("return document.querySelector('.pagefind-ui__result').textContent")
        assert "8 November 2025" in meta and "Kenji Morita" in meta
        driver.find_element("css selector", ".pagefind-ui__result-link").click()
        wait_for(driver, "return location.pathname.endsWith('/veteran-crews-dominate-tokyo-masters-regatta/')")
        assert driver.find_element("css selector", "h1").text.startswith("Veteran crews")
        assert failures == []


def test_the_draft_is_not_in_the_index(search_site, driver):
    # "Hakimi" is in the Kuala Lumpur story and in the draft summit story.
    with static_host(search_site, "/news/") as (base, failures):
        links = search_for(driver, base, "Hakimi")
        time.sleep(0.5)
        links = driver.execute_script(RESULT_LINKS)
        assert links == ["/news/2025/09/09/trade-envoys-meet-in-kuala-lumpur/"]
        driver.set_script_timeout(20)
        indexed = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            import(arguments[0]).then(async (pagefind) => {
              await pagefind.options({baseUrl: "/news/"});
              const search = await pagefind.search(null, {filters: {}});
              const pages = await Promise.all(search.results.map(r => r.data()));
              done(pages.map(p => p.url).sort());
            }).catch(e => done(String(e)));""", base + "pagefind/pagefind.js")
        assert indexed == PUBLISHED_URLS
        assert failures == []


def test_an_author_filter_narrows_the_results(search_site, driver):
    with static_host(search_site, "/news/") as (base, _):
        everyone = search_for(driver, base, "climate")
        assert len(everyone) >= 4
        driver.find_element("xpath", "//summary[contains(., 'Author')]").click()
        driver.find_element("xpath", "//label[contains(., 'Daniel Hartley')]").click()
        narrowed = wait_for(driver, RESULT_LINKS.replace("return ", "const l = ") +
                            f"; return l.length && l.length < {len(everyone)} ? l : null")
        assert set(narrowed) <= set(everyone)
        assert "/news/2025/08/28/banks-insurers-climate-disclosure-rules/" in narrowed


def test_without_javascript_the_header_links_to_the_search_page(search_site):
    page = (search_site / "index.html").read_text(encoding="utf-8")
    assert '<a class="search-link" href="/news/search/">Search</a>' in page
    assert '<form class="search-box" action="/news/search/" method="get" role="search" hidden>' in page
    search_page = (search_site / "search/index.html").read_text(encoding="utf-8")
    assert "<noscript>" in search_page and "needs\n  JavaScript" in search_page


def test_no_search_writes_no_search_files(tmp_path):
    root = copy_sample_project(tmp_path / "project")
    result = run_build(root, "--no-search")
    assert result.returncode == 0, result.stderr
    files = read_tree(root / "site")
    assert not [name for name in files if name.startswith(("pagefind/", "search/", "js/search"))]
    for name, data in files.items():
        if name.endswith(".html"):
            assert b"pagefind" not in data and b"/search/" not in data and b"search.js" not in data, name


def test_index_is_rebuilt_only_when_an_article_page_changes(tmp_path):
    root = make_project(tmp_path, {"2025/10/a.md": article("Alpha", "2025-10-01T10:00:00Z"),
                                   "2025/10/b.md": article("Beta", "2025-10-02T10:00:00Z")})
    assert "search index rebuilt" in run_build(root).stdout
    assert "search index unchanged" in run_build(root).stdout
    override_template(root, "terms.html", lambda text: text + "{# edited #}\n")
    assert "search index unchanged" in run_build(root).stdout
    (root / "content/2025/10/a.md").write_text(article("Alpha", "2025-10-01T10:00:00Z", body="New words.\n"))
    assert "search index rebuilt" in run_build(root).stdout


def test_a_missing_pagefind_binary_is_a_clear_error(tmp_path):
    fake = tmp_path / "fake"
    (fake / "pagefind_bin").mkdir(parents=True)
    (fake / "pagefind_bin/__init__.py").write_text(
        "def get_executable():\n    raise FileNotFoundError('no pagefind binary in this package')\n")
    root = make_project(tmp_path / "project", {"2025/10/a.md": article("Alpha", "2025-10-01T10:00:00Z")})
    assert run_build(root, "--no-search").returncode == 0
    before = read_tree(root / "site")
    result = run_build(root, env={"PYTHONPATH": str(fake)})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: search: the Pagefind binary is missing: no pagefind binary in this package",
        "the previous site was left as it was"]
    assert read_tree(root / "site") == before
    assert run_build(root, "--no-search", env={"PYTHONPATH": str(fake)}).returncode == 0
