"""Output files are replaced whole: an interrupted write leaves the old file, and processes
writing the same file at once never leave a partial or interleaved one."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import wholesystem
from wholesystem.datafiles import atomic_output, write_text_atomically

LINES = 20_000  # about 200 kB per version: many write() calls, so interleaving would show


def _version(writer: int) -> str:
    return "".join(f"writer {writer} line {i}\n" for i in range(LINES))


def _write_many(path: str, writer: int, times: int) -> None:
    for _ in range(times):
        write_text_atomically(path, _version(writer))


def _interrupted_write(path: Path) -> None:
    with atomic_output(path) as handle:
        handle.write("new, half written")
        raise KeyboardInterrupt


def test_an_interrupted_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    with pytest.raises(KeyboardInterrupt):
        _interrupted_write(path)
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary left


def test_a_new_file_gets_the_usual_mode_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    path = tmp_path / "new.txt"
    write_text_atomically(path, "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    path.chmod(0o640)
    write_text_atomically(path, "y")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == "y"


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    """Four processes each write their own version of one file 15 times while this one
    reads it: every read is one writer's complete version."""
    path = tmp_path / "shared.txt"
    write_text_atomically(path, _version(0))
    versions = {_version(w) for w in range(5)}
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_many, args=(str(path), w, 15))
               for w in range(1, 5)]
    for process in writers:
        process.start()
    reads = 0
    while any(p.is_alive() for p in writers) or reads < 20:
        assert path.read_text() in versions
        reads += 1
    for process in writers:
        process.join()
        assert process.exitcode == 0
    assert path.read_text() in versions
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]


def test_concurrent_cli_runs_to_one_output(tmp_path: Path) -> None:
    """Three `wholesystem run -o` processes on the same output: the file is one run's CSV."""
    out = tmp_path / "out.csv"
    code = ("import sys; from wholesystem.interfaces.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    args = [sys.executable, "-c", code, "run", str(wholesystem.example_path("teacup")),
            "-o", str(out)]
    processes = [subprocess.Popen(args) for _ in range(3)]
    assert [p.wait(timeout=300) for p in processes] == [0, 0, 0]
    single = tmp_path / "single.csv"
    assert subprocess.run([*args[:-1], str(single)], timeout=300).returncode == 0
    assert out.read_bytes() == single.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "single.csv"]
