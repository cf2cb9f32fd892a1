"""The Nu Html Checker (vnu.jar from the npm package vnu-jar, installed by the
README's test command into tests/tools/) reports no error on the built sample."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

VNU_JAR = Path(__file__).parent / "tools/node_modules/vnu-jar/build/dist/vnu.jar"

pytestmark = pytest.mark.slow    # a Java virtual machine per run of the checker


def run_vnu(*folders: Path) -> list[dict]:
    """The Nu checker's errors for every HTML file under the folders, in one Java VM."""
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR} is missing: run `npm install --prefix tests/tools` (see README)")
    if shutil.which("java") is None:
        pytest.fail("java is needed to run the Nu Html Checker")
    result = subprocess.run(["java", "-Xss4m", "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only",
                             "--format", "json", *map(str, folders)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


def checked_file(message: dict) -> Path:
    """The file a message is about (its url is a file: URL)."""
    return Path(url2pathname(urlsplit(message.get("url", "")).path)).resolve()


@pytest.fixture(scope="module")
def errors_by_folder(sample_build, tmp_path_factory) -> dict[str, list[dict]]:
    """One run of the checker over the built sample and over a page with a known
    error: the errors of each, every error belonging to one of them."""
    broken = tmp_path_factory.mktemp("broken-html")
    (broken / "bad.html").write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></p>", encoding="utf-8")
    errors = run_vnu(sample_build, broken)
    found = {"sample": [e for e in errors if checked_file(e).is_relative_to(sample_build.resolve())],
             "broken": [e for e in errors if checked_file(e).is_relative_to(broken.resolve())]}
    assert len(found["sample"]) + len(found["broken"]) == len(errors), errors
    return found


def test_sample_site_has_no_html_errors(sample_build, errors_by_folder):
    pages = list(sample_build.rglob("*.html"))
    assert len(pages) > 50
    errors = errors_by_folder["sample"]
    assert errors == [], "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e.get('message')}" for e in errors[:20])


def test_checker_does_catch_errors(errors_by_folder):
    assert [checked_file(e).name for e in errors_by_folder["broken"]][:1] == ["bad.html"]
