"""The Nu Html Checker (vnu.jar from the npm package vnu-jar, installed by the
README's test command into tests/tools/) reports no error on the built sample."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

VNU_JAR = Path(__file__).parent / "tools/node_modules/vnu-jar/build/dist/vnu.jar"

pytestmark = pytest.mark.slow    # a Java virtual machine per check


def run_vnu(folder: Path) -> list[dict]:
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR} is missing: run `npm install --prefix tests/tools` (see README)")
    if shutil.which("java") is None:
        pytest.fail("java is needed to run the Nu Html Checker")
    result = subprocess.run(["java", "-Xss4m", "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only",
                             "--format", "json", str(folder)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


def test_sample_site_has_no_html_errors(sample_build):
    pages = list(sample_build.rglob("*.html"))
    assert len(pages) > 50
    errors = run_vnu(sample_build)
    assert errors == [], "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e.get('message')}" for e in errors[:20])


def test_checker_does_catch_errors(tmp_path):
    (tmp_path / "bad.html").write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></p>", encoding="utf-8")
    assert run_vnu(tmp_path)
