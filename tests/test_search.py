"""Full-text search: Pagefind's index in shards, used in a real browser under
a sub-path; drafts left out; an edit re-indexes only its shard; the search
files are reproducible; --no-search writes nothing of it."""
from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

from browser import driver, static_host  # noqa: F401 - driver is a fixture
from conftest import REPO as ROOT, article, copy_sample_project, make_project, override_template, read_tree, run_build
from dateline import pagefind_cli
from dateline.config import load_config
from dateline.pipeline import BuildOptions, build
from dateline.search import SearchPage, indexed_document, plan_shards
from dateline.search_bundle import decode, encode, reproducible_bundle

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
def search_site(sample_run_under_sub_path):
    """The sample built under /news/ with search on: the session's shared build."""
    site, result = sample_run_under_sub_path
    assert "search index rebuilt" in result.stdout
    return site


def wait_for(driver, script: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


RESULTS = """
const message = document.querySelector('.pagefind-ui__message');
const links = [...document.querySelectorAll('.pagefind-ui__result-link')].map(a => a.getAttribute('href'));
const count = message && /^(\\d[\\d,]*) results? for /.exec(message.textContent.trim());
return count ? [parseInt(count[1].replace(/,/g, ''), 10), links] : null;"""
PAGE_SIZE = 5   # results Pagefind's UI shows before "Load more results"


def settled_results(driver, unlike: list[str] | None = None, timeout: float = 20) -> list[str]:
    """The result links once the UI has settled: the count is announced, the
    whole first page of results is shown, and nothing changes for half a
    second. (The UI shows results one by one as their fragments arrive.)
    `unlike`: links of an earlier search, to wait for this one to replace."""
    deadline = time.monotonic() + timeout
    seen, since = None, 0.0
    while time.monotonic() < deadline:
        state = driver.execute_script(RESULTS)
        if state and len(state[1]) == min(state[0], PAGE_SIZE) and state[1] != unlike:
            if state != seen:
                seen, since = state, time.monotonic()
            elif time.monotonic() - since >= 0.5:
                return state[1]
        else:
            seen = None
        time.sleep(0.05)
    raise AssertionError(f"search results did not settle: last seen {seen}")


def search_for(driver, base: str, words: str) -> list[str]:
    driver.get(base + "search/")
    wait_for(driver, "return document.querySelector('.pagefind-ui__search-input')")
    box = driver.find_element("css selector", ".pagefind-ui__search-input")
    box.clear()
    box.send_keys(words)
    return settled_results(driver)


def indexed_urls(driver, base: str) -> list[str]:
    """Every page in the index (all shards merged, as the search page does), sorted."""
    driver.get(base)    # a fresh page: its own copy of Pagefind's module
    driver.set_script_timeout(30)
    return driver.execute_async_script("""
        const [base, done] = [arguments[0], arguments[arguments.length - 1]];
        import(base + "pagefind/pagefind.js").then(async (pagefind) => {
          const baseUrl = new URL(base).pathname;
          await pagefind.options({baseUrl});
          const list = await (await fetch(base + "pagefind/shards.json")).json();
          for (const shard of list.shards) {
            await pagefind.mergeIndex(baseUrl + "pagefind/" + shard + "/", {baseUrl});
          }
          const search = await pagefind.search(null, {filters: {}});
          const pages = await Promise.all(search.results.map(r => r.data()));
          done(pages.map(p => p.url).sort());
        }).catch(e => done(String(e)));""", base)


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
        assert links == ["/news/2025/09/09/trade-envoys-meet-in-kuala-lumpur/"]
        assert indexed_urls(driver, base) == PUBLISHED_URLS
        assert failures == []


def test_an_author_filter_narrows_the_results(search_site, driver):
    with static_host(search_site, "/news/") as (base, _):
        everyone = search_for(driver, base, "climate")
        assert len(everyone) == 5
        driver.find_element("xpath", "//summary[contains(., 'Author')]").click()
        driver.find_element("xpath", "//label[contains(., 'Daniel Hartley')]").click()
        narrowed = settled_results(driver, unlike=everyone)
        assert narrowed == ["/news/2025/08/28/banks-insurers-climate-disclosure-rules/"]


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


# -- shards ------------------------------------------------------------------------

TAGS = "tags: [ports]\nsection: World\nlocation: Lisbon\n"
SHARDED = {
    # A ten-year-old story with a word no other story has, many times over.
    "2015/03/quillbrook-dredging.md": article(
        "Quillbrook dredging plan approved", "2015-03-10T09:00:00Z", TAGS,
        "The Quillbrook channel will be dredged. Quillbrook pilots and Quillbrook crews agree; "
        "the harbour board voted for it.\n", author="Jane Doe"),
    "2015/06/harbour-fees.md": article(
        "Harbour fees rise", "2015-06-01T09:00:00Z", TAGS, "The harbour raised its fees.\n",
        author="Omar Haddad"),
    "2020/05/harbour-rail-link.md": article(
        "Harbour rail link opens", "2020-05-05T09:00:00Z", "tags: [rail]\n",
        "A rail link now reaches the harbour.\n", author="Jane Doe"),
    "2025/01/harbour-strike.md": article(
        "Harbour strike ends", "2025-01-15T09:00:00Z", TAGS,
        "Dockers at the harbour went back to work; one mentioned Quillbrook.\n", author="Omar Haddad"),
    "2025/02/harbour-night-shifts.md": article(
        "Harbour adds night shifts", "2025-02-20T09:00:00Z", TAGS, "The harbour now works at night.\n",
        author="Jane Doe"),
}


def build_api(root, jobs: int = 1):
    config, problems = load_config(root)
    assert config is not None, problems
    return build(config, BuildOptions(out_dir=root / "site", jobs=jobs))


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("sharded"), SHARDED)
    result = run_build(root, "--base-url", "https://example.org/news/")
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_each_year_is_a_shard_and_the_search_page_merges_them(sharded_site):
    assert json.loads((sharded_site / "pagefind/shards.json").read_text()) == {"shards": ["2025", "2020", "2015"]}
    for shard in ("2025", "2020", "2015"):
        files = {path.name for path in (sharded_site / "pagefind" / shard).iterdir()}
        assert "pagefind-entry.json" in files and {"filter", "fragment", "index"} <= files
        assert "pagefind.js" not in files     # the scripts are loaded once, from pagefind/
    entry = json.loads((sharded_site / "pagefind/pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 0    # the primary bundle holds no pages


def test_one_query_covers_every_shard_and_finds_a_ten_year_old_story(sharded_site, driver):
    with static_host(sharded_site, "/news/") as (base, failures):
        assert search_for(driver, base, "Quillbrook") == [
            "/news/2015/03/10/quillbrook-dredging/",   # five times: first
            "/news/2025/01/15/harbour-strike/"]
        harbour = search_for(driver, base, "harbour")
        assert sorted(harbour) == sorted("/news/" + path for path in [
            "2015/03/10/quillbrook-dredging/", "2015/06/01/harbour-fees/",
            "2020/05/05/harbour-rail-link/", "2025/01/15/harbour-strike/",
            "2025/02/20/harbour-night-shifts/"])
        assert failures == []


def test_filters_cover_every_shard(sharded_site, driver):
    with static_host(sharded_site, "/news/") as (base, _):
        everything = search_for(driver, base, "harbour")
        driver.find_element("xpath", "//summary[contains(., 'Year')]").click()
        years = driver.execute_script(
            "return [...document.querySelectorAll('.pagefind-ui__filter-group')]"
            ".filter(g => /year/i.test(g.textContent)).map(g => g.textContent.replace(/\\s+/g, ' ').trim())")
        assert any("2015 (2)" in text and "2020 (1)" in text and "2025 (2)" in text for text in years), years
        driver.find_element("xpath", "//summary[contains(., 'Author')]").click()
        driver.find_element("xpath", "//label[contains(., 'Jane Doe')]").click()
        janes = settled_results(driver, unlike=everything)
        assert sorted(janes) == sorted("/news/" + path for path in [
            "2015/03/10/quillbrook-dredging/", "2020/05/05/harbour-rail-link/",
            "2025/02/20/harbour-night-shifts/"])


def written_search_files(report) -> set[str]:
    return {path for path in report.written_paths if path.startswith("pagefind/")}


def test_an_edit_re_indexes_only_its_shard(tmp_path):
    root = make_project(tmp_path, SHARDED)
    assert build_api(root).search.shards == 3
    story = root / "content/2015/06/harbour-fees.md"
    story.write_text(story.read_text() + "\nThe fees were later cut.\n")
    report = build_api(root)
    assert (report.search.rebuilt, report.search.shards_rebuilt) == (True, 1)
    written = written_search_files(report)
    assert written and all(path.startswith("pagefind/2015/") for path in written), sorted(written)
    # the story's new fragment, the shard's word index, metadata index and entry
    # file; its filters (the same authors, tags and years) are left as they were
    kinds = sorted(path.split("/")[2] if path.count("/") == 3 else path.split("/")[2].split(".")[0]
                   for path in written)
    assert kinds[0] == "fragment" and kinds[1] != "fragment"
    assert set(kinds) == {"fragment", "index", "pagefind", "pagefind-entry"}
    write_tree_story = root / "content/2025/03/harbour-cranes.md"
    write_tree_story.parent.mkdir(parents=True)
    write_tree_story.write_text(article("Harbour cranes arrive", "2025-03-02T09:00:00Z", TAGS, "Cranes.\n"))
    written = written_search_files(build_api(root))
    assert written and all(path.startswith("pagefind/2025/") for path in written), sorted(written)


def test_a_change_outside_the_indexed_element_re_indexes_nothing(tmp_path):
    root = make_project(tmp_path, SHARDED)
    build_api(root)
    override_template(root, "article.html",
                      lambda text: text.replace("</article>", "</article>\n<p class=\"note\">Printed.</p>", 1))
    report = build_api(root)
    assert report.rendered >= len(SHARDED)               # every article page changed ...
    assert not report.search.rebuilt and written_search_files(report) == set()   # ... but not what is indexed


def test_search_files_are_the_same_bytes_every_build(tmp_path):
    trees = []
    for name in ("one", "two", "three"):
        root = make_project(tmp_path / name, SHARDED)
        assert run_build(root, "--no-cache", "--jobs", "2").returncode == 0
        trees.append({path: data for path, data in read_tree(root / "site").items() if path.startswith("pagefind/")})
    assert len(trees[0]) > 20 and trees[0] == trees[1] == trees[2]
    filters = [decode(data) for path, data in trees[0].items() if "/filter/" in path]
    assert len(filters) == 13          # author, location, section, tag, year; 2020 has no section or place
    for name, values in filters:       # in order, where Pagefind's own order changes from run to run
        assert [value for value, _ in values] == sorted(value for value, _ in values)
    assert ["Jane Doe", "Omar Haddad"] in [[value for value, _ in values] for _, values in filters]


def test_an_empty_archive_has_no_index_and_says_so(tmp_path, driver):
    """No stories: no pagefind/ at all, and the search page, scripts running,
    says there is nothing to search and asks for no missing file."""
    root = make_project(tmp_path, {})
    (root / "content").mkdir()
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    assert not (site / "pagefind").exists()
    with static_host(site) as (base, failures):
        driver.get(base + "search/")
        text = wait_for(driver, "return document.body && document.body.innerText")
        assert "There are no stories to search yet." in text
        assert failures == []


# -- which shards, and what Pagefind reads ------------------------------------------------

def pages_at(*times: str) -> list[SearchPage]:
    return [SearchPage(f"p{n}/index.html", f"/p{n}/", datetime.fromisoformat(when).replace(tzinfo=timezone.utc))
            for n, when in enumerate(times)]


def shard_sizes(shards) -> list[tuple[str, int]]:
    return [(shard.name, len(shard.pages)) for shard in shards]


def test_settled_years_are_one_shard_and_the_newest_month_its_own():
    pages = pages_at("2015-03-01", "2015-11-01", "2016-05-01", "2017-01-03", "2017-02-01", "2017-02-09")
    assert shard_sizes(plan_shards(pages, most=10, recent=2)) == [("2017-02", 2), ("2017", 1), ("2016", 1),
                                                                   ("2015", 2)]
    # a small newest year stays whole
    assert shard_sizes(plan_shards(pages, most=10, recent=3)) == [("2017", 3), ("2016", 1), ("2015", 2)]
    assert plan_shards([]) == []


def test_a_large_period_becomes_runs_of_whole_months_then_days():
    months = pages_at(*[f"2015-{month:02}-0{day}" for month in (1, 2, 3, 4) for day in (1, 2, 3)], "2016-01-01")
    assert shard_sizes(plan_shards(months, most=6, recent=1)) == [("2016", 1), ("2015-03", 6), ("2015-01", 6)]
    one_day = pages_at(*[f"2015-01-01T0{hour}:00" for hour in range(7)], "2016-01-01")
    assert shard_sizes(plan_shards(one_day, most=3, recent=1)) == [
        ("2016", 1), ("2015-01-01-3", 1), ("2015-01-01-2", 3), ("2015-01-01", 3)]


def test_the_newest_day_splits_off_a_busy_month():
    pages = pages_at(*[f"2025-03-{day:02}" for day in range(1, 11)])
    assert shard_sizes(plan_shards(pages, most=100, recent=4)) == [("2025-03-10", 1), ("2025-03", 9)]


def test_adding_or_deleting_a_story_changes_only_its_own_shard():
    times = [f"{year}-{month:02}-{day:02}" for year in (2015, 2016, 2017) for month in (2, 6, 10)
             for day in (3, 17)]
    before = {shard.name: shard.pages for shard in plan_shards(pages_at(*times), most=8, recent=3)}
    fewer = pages_at(*times)
    del fewer[7]            # a 2016 story
    after = {shard.name: shard.pages for shard in plan_shards(fewer, most=8, recent=3)}
    assert {name for name in before if before[name] != after.get(name)} == {"2016"}
    more = pages_at(*times, "2017-10-20")
    after = {shard.name: shard.pages for shard in plan_shards(more, most=8, recent=3)}
    assert {name for name in after if after[name] != before.get(name)} == {"2017-10"}


def test_pagefind_reads_the_marked_element_and_the_language():
    page = ('<!DOCTYPE html>\n<html lang="pt-BR">\n<head><title>T</title></head><body><nav>menu</nav>'
            '<article class="a" data-pagefind-body><h1>Title</h1><article><p>quoted</p></article>'
            '<p>body</p></article><section>related</section></body></html>')
    assert indexed_document(page) == (
        '<!DOCTYPE html><html lang="pt-BR"><body><article class="a" data-pagefind-body><h1>Title</h1>'
        '<article><p>quoted</p></article><p>body</p></article></body></html>')
    unmarked = '<html lang="en"><body><p>everything</p></body></html>'
    assert indexed_document(unmarked) == unmarked
    unclosed = '<html lang="en"><body><div data-pagefind-body><p>never closed</body></html>'
    assert indexed_document(unclosed) == unclosed


def test_filter_and_metadata_indexes_are_sorted_and_renamed_after_their_bytes():
    entry = {"version": "1.5.2", "languages": {"en": {"hash": "en_0000000000", "wasm": "en", "page_count": 2}},
             "include_characters": ["_"]}
    files = {
        "pagefind-entry.json": json.dumps(entry).encode(),
        "pagefind.en_0000000000.pf_meta": encode(["1.5.2", [["en_frag001", 10], ["en_frag002", 12]],
                                                  [["a", "z", "en_index01"]],
                                                  [["tag", "en_aaaaaaa"], ["author", "en_bbbbbbb"]],
                                                  [["published", [1, 0]]], ["title"]]),
        "filter/en_aaaaaaa.pf_filter": encode(["tag", [["rail", [1]], ["ports", [0, 1]]]]),
        "filter/en_bbbbbbb.pf_filter": encode(["author", [["Omar Haddad", [1]], ["Jane Doe", [0]]]]),
        "index/en_index01.pf_index": b"word index, untouched",
        "fragment/en_frag001.pf_fragment": b"fragment, untouched",
    }
    bundle = reproducible_bundle(files)
    assert bundle["index/en_index01.pf_index"] == files["index/en_index01.pf_index"]
    assert bundle["fragment/en_frag001.pf_fragment"] == files["fragment/en_frag001.pf_fragment"]
    language = json.loads(bundle["pagefind-entry.json"])["languages"]["en"]
    meta = decode(bundle[f"pagefind.{language['hash']}.pf_meta"])
    assert [name for name, _ in meta[3]] == ["author", "tag"]
    assert decode(bundle[f"filter/{meta[3][0][1]}.pf_filter"]) == ["author", [["Jane Doe", [0]], ["Omar Haddad", [1]]]]
    assert decode(bundle[f"filter/{meta[3][1][1]}.pf_filter"]) == ["tag", [["ports", [0, 1]], ["rail", [1]]]]
    assert meta[:3] == ["1.5.2", [["en_frag001", 10], ["en_frag002", 12]], [["a", "z", "en_index01"]]]
    assert len(bundle) == len(files)         # every old name replaced, nothing left over
    # Pagefind's own order was different; the same pages in any order give these bytes
    swapped = dict(files, **{"pagefind.en_0000000000.pf_meta": encode(
        ["1.5.2", [["en_frag001", 10], ["en_frag002", 12]], [["a", "z", "en_index01"]],
         [["author", "en_bbbbbbb"], ["tag", "en_aaaaaaa"]], [["published", [1, 0]]], ["title"]])})
    assert reproducible_bundle(swapped) == bundle


def test_a_failing_pagefind_is_one_clear_line_and_the_site_is_left(tmp_path):
    fake = tmp_path / "fake"
    (fake / "pagefind_bin").mkdir(parents=True)
    script = fake / "pagefind"
    script.write_text("#!/bin/sh\necho 'Error: out of cheese' >&2\nexit 3\n")
    script.chmod(0o755)
    (fake / "pagefind_bin/__init__.py").write_text(
        f"from pathlib import Path\ndef get_executable():\n    return Path({str(script)!r})\n")
    root = make_project(tmp_path / "project", {"2025/10/a.md": article("Alpha", "2025-10-01T10:00:00Z")})
    assert run_build(root, "--no-search").returncode == 0
    before = read_tree(root / "site")
    result = run_build(root, env={"PYTHONPATH": f"{fake}:{ROOT}"})
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["error: search: Pagefind failed: Error: out of cheese",
                                          "the previous site was left as it was"]
    assert read_tree(root / "site") == before


def test_pagefind_runs_in_a_scratch_folder_it_removes_and_ignores_the_users_settings(tmp_path, monkeypatch):
    """Pagefind reads its documents from a scratch folder (in memory when the
    machine has a tmpfs), which is gone when it is done; PAGEFIND_* variables
    and a pagefind.yml in the folder the build runs from change nothing."""
    documents = [("2025/10/a/index.html", '<html lang="en"><body><main data-pagefind-body><h1>Alpha</h1>'
                                          '<p>harbour cranes</p></main></body></html>'),
                 ("2025/10/b/index.html", '<html lang="en"><body><main data-pagefind-body><h1>Beta</h1>'
                                          '<p>river ferries</p></main></body></html>')]
    scratch = tmp_path / "memory"
    scratch.mkdir()
    monkeypatch.setattr(pagefind_cli, "MEMORY_FOLDER", str(scratch))
    plain = pagefind_cli.index_documents(documents)
    assert list(scratch.iterdir()) == []
    assert json.loads(plain["pagefind-entry.json"])["languages"]["en"]["page_count"] == 2
    (tmp_path / "pagefind.yml").write_text("force_language: fr\nexclude_selectors: ['p']\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAGEFIND_FORCE_LANGUAGE", "fr")
    monkeypatch.setenv("PAGEFIND_EXCLUDE_SELECTORS", "h1")
    assert pagefind_cli.index_documents(documents) == plain
    # No tmpfs (or a full one): the system's temporary folder, the same bundle.
    monkeypatch.setattr(pagefind_cli, "MEMORY_FOLDER", str(tmp_path / "none"))
    assert pagefind_cli.index_documents(documents) == plain


def test_scratch_folders_of_builds_that_were_killed_are_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    prefix = pagefind_cli.SCRATCH_PREFIX
    abandoned = tmp_path / f"{prefix}{dead.pid}-k1ll3d"
    running = tmp_path / f"{prefix}{os.getpid()}-b5y"
    others = [tmp_path / "dateline-other-1", tmp_path / f"{prefix}notapid-x"]
    for folder in (abandoned, running, *others):
        (folder / "site").mkdir(parents=True)
        (folder / "site" / "index.html").write_text("<p>left</p>")
    pagefind_cli.remove_abandoned(tmp_path)
    assert not abandoned.exists()
    assert running.is_dir() and all(folder.is_dir() for folder in others)
