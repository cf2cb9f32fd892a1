"""Builds at once, builds stopped and killed: one build at a time, nothing left running.

Every wait polls with a deadline; nothing relies on a fixed sleep being long enough.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import BUILD_PY, read_tree, run_build, stable_tree

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import generate_project, write_article  # noqa: E402

DEADLINE = 120.0


def _start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(BUILD_PY), "--root", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root)


def _wait_until(condition, what: str, deadline: float = DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    pytest.fail(f"timed out waiting for {what}")


def _children(pid: int) -> set[int]:
    """Live (not zombie) descendants of pid, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid() and _alive(int(entry)):
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if text in command:
                found.append(f"{entry}: {command}")
    return found


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return generate_project(tmp_path / "project", 150)


def test_a_stopped_build_makes_the_next_wait_and_nothing_stale_is_published(archive: Path, tmp_path: Path):
    """A holds the lock and is stopped (SIGSTOP); an editor changes a story; B
    (--no-wait) fails naming A; C waits, and publishes the edit once A is done."""
    first = _start(archive, "--no-search", "--jobs", "1")
    lock = archive / ".dateline-cache" / "build.lock"
    _wait_until(lambda: lock.exists() and f"process {first.pid}" in lock.read_text(), "the first build's lock")
    os.kill(first.pid, signal.SIGSTOP)
    try:
        write_article(archive, 3, 150, body_edit="A paragraph added while another build was stopped.")
        busy = run_build(archive, "--no-search", "--no-wait")
        assert busy.returncode == 1, busy.stderr
        assert "Traceback" not in busy.stderr
        assert f"process {first.pid}" in busy.stderr and "--no-wait" in busy.stderr
        waiting = _start(archive, "--no-search", "--jobs", "2")
        said = []
        reader = threading.Thread(target=lambda: said.append(waiting.stderr.readline()), daemon=True)
        reader.start()
        reader.join(DEADLINE)
        assert said and f"waiting for process {first.pid}" in said[0], said
        assert waiting.poll() is None     # still waiting: A holds the lock
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(DEADLINE) == 0, first.stderr.read()
    assert waiting.wait(DEADLINE) == 0, waiting.stderr.read()
    reference = run_build(archive, "--no-search", "--no-cache", out=tmp_path / "reference")
    assert reference.returncode == 0, reference.stderr
    published = read_tree(archive / "site")
    assert published == read_tree(tmp_path / "reference")
    assert any(b"A paragraph added while another build was stopped." in data for data in published.values())


def test_a_killed_build_leaves_no_worker_running(archive: Path):
    build = _start(archive, "--no-search", "--no-cache", "--jobs", "2")
    workers = _wait_until(lambda: _children(build.pid), "the build's worker processes")
    build.kill()
    build.wait(DEADLINE)
    _wait_until(lambda: not any(_alive(pid) for pid in workers), "the workers to end", deadline=10)
    assert not (archive / "site").exists() or (archive / "site" / ".dateline-site").exists()


def test_a_killed_build_leaves_no_pagefind_running(archive: Path):
    build = _start(archive, "--no-cache", "--jobs", "1")

    def pagefind() -> set[int]:
        return {pid for pid in _children(build.pid)
                if "pagefind" in Path(f"/proc/{pid}/comm").read_text(errors="replace")} if _alive(build.pid) else set()

    found = _wait_until(pagefind, "Pagefind to start")
    build.kill()
    build.wait(DEADLINE)
    _wait_until(lambda: not any(_alive(pid) for pid in found), "Pagefind to end", deadline=10)


WORKER_KILLED = ("error: a worker process of the build was killed (out of memory?); the published site was left "
                 "as it was; build again, or with a lower --jobs to use less memory")


@pytest.mark.parametrize("stop, status, message", [
    # SIGTERM (a cancelled CI job, `kill`) unwinds like Ctrl-C.
    ("terminate the build", 130, "interrupted; the published site was left as it was"),
    # The out-of-memory killer takes a worker: one line, not a BrokenProcessPool traceback.
    ("kill a worker", 1, WORKER_KILLED)])
def test_a_build_stopped_mid_work_says_one_line_and_keeps_the_site(archive: Path, stop, status, message):
    assert run_build(archive, "--no-search").returncode == 0
    before = read_tree(archive / "site")
    write_article(archive, 5, 150, body_edit="Edited before a build that is stopped.")
    build = _start(archive, "--no-search", "--no-cache", "--jobs", "2")
    workers = _wait_until(lambda: _children(build.pid), "the build's worker processes")
    if stop == "terminate the build":
        build.terminate()
    else:
        os.kill(min(workers), signal.SIGKILL)
    assert build.wait(DEADLINE) == status
    stderr = build.stderr.read()
    assert stderr.splitlines() == [message], stderr
    _wait_until(lambda: not any(_alive(pid) for pid in workers), "the workers to end", deadline=10)
    assert read_tree(archive / "site") == before
    assert not (archive / ".site.staging").exists()


@pytest.mark.slow
def test_serve_and_three_builds_at_once_publish_what_a_cold_build_makes(tmp_path: Path):
    from test_serve import ServerProcess

    root = generate_project(tmp_path / "project", 300)
    assert run_build(root).returncode == 0     # so serve starts on a built site, within its deadline
    server = ServerProcess(root)
    try:
        for round_ in range(3):
            write_article(root, 10 + round_, 300, body_edit=f"Edit number {round_} while builds race.")
            builds = [_start(root, "--jobs", "2") for _ in range(3)]
            for build in builds:
                assert build.wait(DEADLINE * 3) == 0, build.stderr.read()
        # serve rebuilds after the last edit too: wait until no build holds the project
        lock = root / ".dateline-cache" / "build.lock"
        _wait_until(lambda: server.output.count("changed:") >= 1, "serve to see an edit")
        _quiet_for(lock, seconds=3.0)
    finally:
        server.stop()
    reference = run_build(root, "--no-cache", out=tmp_path / "reference")
    assert reference.returncode == 0, reference.stderr
    assert stable_tree(root / "site") == stable_tree(tmp_path / "reference")
    _wait_until(lambda: not _processes_mentioning(str(root)), "every process of the builds to end", deadline=15)


def _quiet_for(lock: Path, seconds: float) -> None:
    """Return once nobody has held `lock` for `seconds` in a row."""
    import fcntl

    quiet_since = time.monotonic()
    end = time.monotonic() + DEADLINE
    with open(lock, "rb") as handle:
        while time.monotonic() < end:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
            except BlockingIOError:
                quiet_since = time.monotonic()
            if time.monotonic() - quiet_since >= seconds:
                return
            time.sleep(0.05)
    pytest.fail("the project never went quiet")


# -- the paths macOS and Windows take, forced on Linux -----------------------------------

def _spawned_workers(build: subprocess.Popen) -> bool:
    """Whether any worker of the running build was started by `spawn` (a fresh
    interpreter running multiprocessing's spawn_main), not forked."""
    for pid in _children(build.pid):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            pass
    return False


def test_spawned_workers_and_the_rename_swap_give_the_same_bytes(archive: Path, tmp_path: Path):
    default = run_build(archive, "--no-search", "--jobs", "2", out=tmp_path / "default")
    assert default.returncode == 0, default.stderr
    env = {**os.environ, "DATELINE_START_METHOD": "spawn", "DATELINE_SWAP": "rename"}
    for step in range(2):       # a cold build, then an incremental one over the spare
        if step:
            write_article(archive, 7, 150, body_edit="Edited between two spawned builds.")
        build = subprocess.Popen([sys.executable, str(BUILD_PY), "--root", str(archive), "--no-search", "--jobs", "2",
                                  "--out", str(tmp_path / "portable")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=archive, env=env)
        saw_spawn = False
        while build.poll() is None:
            saw_spawn = saw_spawn or _spawned_workers(build)
            time.sleep(0.01)
        assert build.returncode == 0, build.stderr.read()
        if not step:
            assert saw_spawn, "no spawned worker was seen"
    reference = run_build(archive, "--no-search", "--jobs", "1", "--no-cache", out=tmp_path / "reference")
    assert reference.returncode == 0, reference.stderr
    assert read_tree(tmp_path / "portable") == read_tree(tmp_path / "reference")
    assert not (tmp_path / ".portable.old").exists()


def test_serve_survives_a_rebuild_that_cannot_write_the_site(tmp_path: Path):
    """A failure outside the content (here: a file in site/ the build did not make)
    is reported in the terminal and the page, and serving goes on."""
    from conftest import article, make_project
    from test_serve import ServerProcess

    root = make_project(tmp_path / "project", {"2025/first.md": article(title="First headline")})
    server = ServerProcess(root)
    try:
        page = "/2025/10/25/first/"
        server.wait_for_page(page, "First headline")
        (root / "site" / "notes.txt").write_text("mine\n", encoding="utf-8")
        (root / "content/2025/first.md").write_text(article(title="Second headline"), encoding="utf-8")
        server.wait_for_output(r"error: .*did not make \(notes\.txt\)")
        body = server.wait_for_page(page, "The build failed")
        assert "First headline" in body and "notes.txt" in body
        (root / "site" / "notes.txt").unlink()
        (root / "content/2025/first.md").write_text(article(title="Third headline"), encoding="utf-8")
        body = server.wait_for_page(page, "Third headline", absent="The build failed")
        assert server.process.poll() is None
        assert "Traceback" not in server.output
    finally:
        assert server.stop() == 0


def test_a_process_forked_during_a_build_is_stopped_by_sigterm_silently():
    """A worker forked while the build's SIGTERM handler is in place, and
    terminated before it set its own (stopping a build terminates its workers),
    ends as SIGTERM's default would: no KeyboardInterrupt, no traceback. The
    build's own process still unwinds with KeyboardInterrupt."""
    script = """
import os, signal, sys
from dateline.cli import _terminate_as_interrupt
with _terminate_as_interrupt():
    child = os.fork()
    if child == 0:
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(1000))            # the handler runs at the next bytecode
        print("the child went on", flush=True)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    print("child:", os.WTERMSIG(status) if os.WIFSIGNALED(status) else "exit " + str(os.WEXITSTATUS(status)))
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(1000))
    except KeyboardInterrupt:
        print("parent: KeyboardInterrupt")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stderr == ""
    assert result.stdout.splitlines() == [f"child: {int(signal.SIGTERM)}", "parent: KeyboardInterrupt"]
