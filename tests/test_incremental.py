"""Incremental builds give exactly the bytes of a cold build, whatever changed.

One synthetic archive (bench/generate.py) is edited step by step; after each
step the incremental site/ is compared, file by file and byte by byte, with a
`--no-cache` build of a copy of the same input. Search is on, as by default:
the search shards under pagefind/ are compared like every other file.
"""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
import sys
import zlib
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import UNSTABLE_SEARCH_FILES, copy_sample_project, run_build
from dateline.config import load_config
from dateline.pipeline import BuildOptions, build

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate  # noqa: E402

COUNT = 160


def build_site(root: Path, out: Path, *, jobs: int = 2, use_cache: bool = True):
    config, problems = load_config(root)
    assert config is not None, problems
    return build(config, BuildOptions(out_dir=out, jobs=jobs, use_cache=use_cache))


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None), so empty leftover folders count too."""
    return {name: path.read_bytes() if path.is_file() else None
            for path in sorted(folder.rglob("*"))
            for name in [path.relative_to(folder).as_posix()] if not UNSTABLE_SEARCH_FILES.match(name)}


def input_digest(root: Path) -> str:
    """A digest of everything cold_tree copies: the names and bytes of every file
    under content/ and layouts/, and site.yaml."""
    digest = hashlib.sha256()
    files = [path for name in ("content", "layouts") for path in sorted((root / name).rglob("*")) if path.is_file()]
    for path in files + [root / "site.yaml"]:
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


# Cold trees already made in this module, by input digest and --jobs: the tests
# that ask for the cold site of an input seen before (the chain's last state is
# also the start of the jobs and damaged-cache tests) compare with that one.
COLD_TREES: dict[tuple[str, int], dict[str, bytes | None]] = {}


def cold_tree(root: Path, scratch: Path, jobs: int = 1) -> dict[str, bytes]:
    """The site a cold --no-cache build makes of a copy of root's input."""
    key = (input_digest(root), jobs)
    if key not in COLD_TREES:
        COLD_TREES[key] = fresh_cold_tree(root, scratch, jobs)
    return COLD_TREES[key]


def fresh_cold_tree(root: Path, scratch: Path, jobs: int) -> dict[str, bytes]:
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for name in ("content", "layouts"):
        shutil.copytree(root / name, scratch / name)
    shutil.copyfile(root / "site.yaml", scratch / "site.yaml")
    build_site(scratch, scratch / "site", jobs=jobs, use_cache=False)
    return tree(scratch / "site")


def assert_same_trees(incremental: dict[str, bytes], cold: dict[str, bytes]) -> None:
    assert sorted(incremental) == sorted(cold), (
        f"only incremental: {sorted(set(incremental) - set(cold))[:5]}, "
        f"only cold: {sorted(set(cold) - set(incremental))[:5]}")
    different = [path for path in cold if incremental[path] != cold[path]]
    assert not different, f"{len(different)} files differ, e.g. {different[:5]}"


def article_file(root: Path, index: int) -> Path:
    return root / "content" / generate.article_meta(index)["path"]


def edit_body(root):
    generate.write_article(root, 100, COUNT, body_edit="A line added by the test.")


def edit_headline(root):
    path = article_file(root, 102)
    path.write_text(path.read_text(encoding="utf-8").replace('title: "', 'title: "Updated: ', 1), encoding="utf-8")


def add_update_time(root):
    path = article_file(root, 103)
    published = generate.article_meta(103)["published"]
    path.write_text(path.read_text(encoding="utf-8").replace(
        "\ntags:", f"\nupdated: {(published + timedelta(hours=5)).isoformat()}\ntags:", 1), encoding="utf-8")


def edit_tags(root):
    generate.write_article(root, 101, COUNT, tags=["only here", "port crisis"])


def empty_tag(root):
    generate.write_article(root, 101, COUNT)   # "only here" loses its one article


def add_article(root):
    generate.write_article(root, COUNT, COUNT + 1)


def delete_article(root):
    article_file(root, generate.deletable(120)).unlink()


def rename_slug(root):
    source = article_file(root, generate.deletable(130))
    source.rename(source.with_name("renamed-by-test.md"))


def edit_template(root):
    with open(root / "layouts" / "terms.html", "a", encoding="utf-8") as handle:
        handle.write("{# edited by the test #}\n")


def edit_config(root):
    generate.write_site_yaml(root, description="Edited by the test")


SCENARIOS = [edit_body, edit_headline, add_update_time, edit_tags, empty_tag, add_article, delete_article,
             rename_slug, edit_template, edit_config]
# Edits to a story's content, not its shape: the build takes the last plan
# and plans again only the pages showing that story (dateline/kept_plan.py).
CONTENT_EDITS = {edit_body, edit_headline, add_update_time}
# Stories added, removed or reshaped: the build plans again the listings they
# are or were on, whole, and the story pages whose neighbours or related
# stories changed; the rest of the plan is taken as it was.
STRUCTURAL_EDITS = {edit_tags, empty_tag, add_article, delete_article, rename_slug}

# Search is on (the default): the 160 stories make two shards, "2012-03" (the
# newest month) and "2012" (the rest of the year). Each article edit re-indexes
# the one shard holding it; edits that leave the indexed text alone, none.
SEARCH_SHARDS_REBUILT = {edit_body: 1, edit_headline: 1, add_update_time: 1, edit_tags: 1, empty_tag: 1, add_article: 1, delete_article: 1,
                         rename_slug: 1, edit_template: 0, edit_config: 0}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = generate.generate_project(tmp_path_factory.mktemp("incremental") / "project", COUNT)
    build_site(root, root / "site")
    return root


@pytest.mark.slow
def test_every_incremental_step_matches_a_cold_build(project, tmp_path):
    stale = {
        "deleted": generate.article_meta(generate.deletable(120)),
        "renamed": generate.article_meta(generate.deletable(130)),
    }
    report = build_site(project, project / "site")
    assert (report.rendered, report.written, report.markdown_rendered) == (0, 0, 0)
    assert (project / "site/pagefind/shards.json").read_text().split() == ["{", '"shards":', "[", '"2012-03",',
                                                                            '"2012"', "]", "}"]
    assert_same_trees(tree(project / "site"), cold_tree(project, tmp_path / "cold"))
    for scenario in SCENARIOS:
        scenario(project)
        report = build_site(project, project / "site")
        assert report.rendered > 0, scenario.__name__
        assert report.search.shards_rebuilt == SEARCH_SHARDS_REBUILT[scenario], (scenario.__name__, report.search)
        everything = report.pages + report.feeds
        if scenario in CONTENT_EDITS:
            assert 0 < report.planned < everything / 10, (scenario.__name__, report.planned, everything)
        elif scenario in STRUCTURAL_EDITS:
            assert 0 < report.planned < everything / 2, (scenario.__name__, report.planned, everything)
        else:
            assert report.planned == everything, (scenario.__name__, report.planned, everything)
        try:
            assert_same_trees(tree(project / "site"), cold_tree(project, tmp_path / "cold"))
        except AssertionError as error:
            raise AssertionError(f"after {scenario.__name__}: {error}") from None
        if scenario is edit_template:   # only the four pages made with terms.html
            assert report.rendered == 4 and report.written == 0, report
    site = tree(project / "site")
    for meta in stale.values():
        slug_folder = f"/{meta['slug']}/"
        assert not any(slug_folder in "/" + path for path in site), meta["path"]
    assert not any(path.startswith("tags/only-here/") for path in site)


@pytest.mark.slow
def test_jobs_one_and_two_give_identical_bytes(project, tmp_path):
    assert_same_trees(cold_tree(project, tmp_path / "one", jobs=1), cold_tree(project, tmp_path / "two", jobs=2))


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_cache_is_discarded(project, tmp_path, damage):
    cache = project / ".dateline-cache" / "cache.sqlite"
    data = cache.read_bytes()
    if damage == "truncate":
        cache.write_bytes(data[: len(data) // 3])
    else:
        middle = len(data) // 2
        cache.write_bytes(data[:100] + b"\xff" * 8 + data[108:middle] + b"garbage!" * 512 + data[middle + 4096:])
    report = build_site(project, project / "site")
    assert report.cache_discarded
    assert_same_trees(tree(project / "site"), cold_tree(project, tmp_path / "cold"))
    again = build_site(project, project / "site")
    assert not again.cache_discarded and again.rendered == 0


@pytest.mark.slow
def test_a_published_file_gone_is_made_again_though_the_plan_is_kept(project, tmp_path):
    """A page the kept plan stands for must still be published as it was:
    one deleted (here a listing the edited story is not on) is found when the
    site is staged, and the build plans everything instead."""
    gone = next(path for path in sorted((project / "site" / "tags").glob("*/index.html"))
                if generate.article_meta(104)["slug"] not in path.read_text(encoding="utf-8"))
    gone.unlink()
    generate.write_article(project, 104, COUNT, body_edit="Another line added by the test.")
    report = build_site(project, project / "site")
    assert report.planned == report.pages + report.feeds
    assert gone.is_file()
    assert_same_trees(tree(project / "site"), cold_tree(project, tmp_path / "cold"))


@pytest.mark.slow
def test_a_damaged_kept_plan_plans_everything(project, tmp_path):
    db = sqlite3.connect(project / ".dateline-cache" / "cache.sqlite")
    junk = zlib.compress(b"not a plan")
    assert db.execute("UPDATE plans SET data = ?, crc = ?", (junk, zlib.crc32(junk))).rowcount == 1
    db.commit()
    db.close()
    generate.write_article(project, 105, COUNT, body_edit="A line added to a story with a damaged plan.")
    report = build_site(project, project / "site")
    assert report.planned == report.pages + report.feeds
    assert_same_trees(tree(project / "site"), cold_tree(project, tmp_path / "cold"))
    generate.write_article(project, 106, COUNT, body_edit="And one more, the plan kept again.")
    report = build_site(project, project / "site")
    assert 0 < report.planned < (report.pages + report.feeds) / 10
    assert_same_trees(tree(project / "site"), cold_tree(project, tmp_path / "cold"))


@pytest.fixture
def built_sample(tmp_path) -> Path:
    """A copy of the sample archive, built once: its cache is warm."""
    root = copy_sample_project(tmp_path / "sample")
    build_site(root, root / "site", jobs=1)
    return root


def test_no_cache_forces_a_cold_build(built_sample):
    report = build_site(built_sample, built_sample / "site", jobs=1, use_cache=False)
    assert report.markdown_rendered >= report.articles == 10    # none taken from the warm cache
    assert report.rendered > report.articles


def test_a_damaged_cached_article_is_parsed_again(tmp_path):
    root = copy_sample_project(tmp_path / "sample")
    assert run_build(root).returncode == 0
    page = root / "site/2025/09/09/trade-envoys-meet-in-kuala-lumpur/index.html"
    before = page.read_bytes()
    db = sqlite3.connect(root / ".dateline-cache" / "cache.sqlite")
    path, blob = db.execute("SELECT path, article FROM articles WHERE path LIKE '%kuala-lumpur%'").fetchone()
    at = blob.find(b"Trade envoys")
    db.execute("UPDATE articles SET article = ? WHERE path = ?", (blob[:at] + b"X" + blob[at + 1:], path))
    db.commit()
    db.close()
    (root / "content/2025/10/sao-paulo-solar-storage-auction.md").write_text(
        (root / "content/2025/10/sao-paulo-solar-storage-auction.md").read_text() + "\nOne more line.\n")
    assert run_build(root).returncode == 0
    assert page.read_bytes() == before
    # page/1/ lists both stories, so it was rendered again with the cached Kuala Lumpur article:
    listing = (root / "site/page/1/index.html").read_text(encoding="utf-8")
    assert "Trade envoys meet in Kuala Lumpur" in listing
    assert not [p for p in (root / "site").rglob("*.html") if b"Xrade envoys" in p.read_bytes()]
