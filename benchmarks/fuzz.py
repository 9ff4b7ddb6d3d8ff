"""Mutation fuzzing of every input format through every command.

    .venv/bin/python benchmarks/fuzz.py [--minutes 10] [--seed 0] [--case-seconds 30]
        [--memory-mb 4096] [--out /tmp/wholesystem-fuzz]

Seeds are the bundled examples (XMILE, Vensim, system YAML), the regression corpus in
``tests/fuzz_corpus/`` and, where the shared data is present (``WHOLESYSTEM_SHARED``),
the small models of ``sd-test-models``. Each case mutates one seed one to three times
(character edits, extreme numbers, and structure-aware edits of XML elements, Vensim
entries and YAML values), writes it to a file and runs one command on it in a forked child
with a time limit and an address-space limit, under ``CASE_LIMITS`` (at most 100,000 time
steps a run, where a command takes ``--limit``). Every outcome is classified:

- ``ok``: the command succeeded;
- ``error``: a clear error (a ``WholesystemError``, or a missing or unreadable file), with
  ``located`` counting those whose message names ``file:line:col`` or a field;
- ``internal``: any other exception (a bug);
- ``hang``: the case used more than ``--case-seconds`` of CPU time (or blocked for ten
  times as long);
- ``memory``: ``MemoryError``, an out-of-memory simulation error, or the child killed.

The bar is zero of the last three. Inputs that hit them are written under ``--out`` with
what happened; the fixed ones belong in ``tests/fuzz_corpus/``, which
``tests/property/test_fuzz_corpus.py`` replays. Prints a table of counts per format and
command, then the totals.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import copy
import io
import itertools
import math
import multiprocessing
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "src" / "wholesystem" / "examples"
CORPUS = ROOT / "tests" / "fuzz_corpus"
FORMATS = {".xmile": "xmile", ".stmx": "xmile", ".mdl": "mdl", ".yaml": "yaml"}
SUFFIX = {"xmile": ".xmile", "mdl": ".mdl", "yaml": ".yaml"}
COMMANDS: dict[str, tuple[str, ...]] = {
    "xmile": ("check", "run", "convert-xmile", "convert-mdl", "compile"),
    "mdl": ("check", "run", "convert-xmile", "convert-mdl", "compile"),
    "yaml": ("check", "run", "ledger", "compare", "journeys"),
}
OUTCOMES = ("ok", "error", "internal", "hang", "memory")
WALL_FACTOR = 10
"""A case's wall-clock guard, in multiples of its CPU seconds."""
FAILURES = ("internal", "hang", "memory")
_LOCATED = re.compile(r":\d+:\d+: |\b[a-z_]+(\[\d+\]|\.[a-z_0-9]+)+: |\(file\)|: error: ")

INTERESTING_NUMBERS = ("0", "-0", "-1", "1e308", "-1e308", "1e-308", "1e20", "1e9",
                       "99999999999999999999", "0.0001", "1000000", "nan", "inf", "-inf",
                       "1e400", "2147483648", "0.5", "3", "-7", "1E+5", "00", "1.", ".5")
INTERESTING_TEXT = ("", " ", "\"", "'", "<", ">", "&", "&amp;", "]]>", "[", "]", "(", ")",
                    "~", "|", ":", "\\", "\n", "\r", "\x00", "\u2028", "é", "{", "}", ",",
                    "-", "*", "/", "^", "a1-a999999999", "IF THEN ELSE(", "::", "&lt;",
                    "<!--", "-->", "#", "%", "!!", "*a", "&a ", "'''", "\t")


# -- seeds --------------------------------------------------------------------------------
def seeds(shared: Path | None = None) -> list[tuple[str, str, str]]:
    """(format, name, text) of every seed: examples, the corpus, small shared models."""
    paths = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in FORMATS)
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.rglob("*") if p.suffix in FORMATS)
    if shared is not None and (shared / "sd-test-models").is_dir():
        found = sorted(p for p in (shared / "sd-test-models").rglob("*")
                       if p.suffix in FORMATS and p.stat().st_size < 40_000)
        paths += found[::max(1, len(found) // 60)]
    result = []
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
        result.append((FORMATS[path.suffix], path.name, text))
    return result


# -- mutators -----------------------------------------------------------------------------
def _character_edit(text: str, rng: random.Random) -> str:
    if not text:
        return rng.choice(INTERESTING_TEXT)
    i = rng.randrange(len(text))
    j = min(len(text), i + rng.choice((1, 2, 5, 20, 200)))
    choice = rng.randrange(4)
    if choice == 0:
        return text[:i] + text[j:]
    if choice == 1:
        return text[:j] + text[i:j] * rng.choice((2, 3, 50)) + text[j:]
    if choice == 2:
        return text[:i] + rng.choice(INTERESTING_TEXT) + text[i:]
    return text[:i] + rng.choice(INTERESTING_TEXT) + text[i + 1:]


_NUMBER = re.compile(r"(?<![A-Za-z_])[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _number_edit(text: str, rng: random.Random) -> str:
    found = list(_NUMBER.finditer(text))
    if not found:
        return _character_edit(text, rng)
    for match in rng.sample(found, min(len(found), rng.choice((1, 1, 2, 5)))):
        start, end = match.span()
        replacement = rng.choice(INTERESTING_NUMBERS)
        text = text[:start] + replacement + text[end:] if len(text) >= end else text
    return text


def _xml_edit(text: str, rng: random.Random) -> str:
    try:
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False,
                                                                     no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        return _character_edit(text, rng)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    target = rng.choice(elements)
    parent = target.getparent()
    choice = rng.randrange(6)
    raw = ""  # text lxml will not hold (NUL, control characters), spliced in afterwards
    if choice == 0 and parent is not None:
        parent.remove(target)
    elif choice == 1 and parent is not None:
        parent.insert(parent.index(target), _copy(target))
    elif choice == 2:
        value = rng.choice(INTERESTING_NUMBERS + INTERESTING_TEXT[:20] + (
            "a+b", "TIME", "INIT(x)", "DELAY1(a, 0)", "x[1]", "SMTH1(", "1/0", "LN(-1)"))
        try:
            target.text = value
        except ValueError:  # lxml refuses characters XML cannot hold; the reader must not
            target.text, raw = _PLACEHOLDER, value
    elif choice == 3 and target.attrib:
        key = rng.choice(sorted(target.attrib))
        target.set(key, rng.choice(INTERESTING_NUMBERS + ("", "x", "true", "a b")))
    elif choice == 4:
        donor = rng.choice(elements)
        if donor is not target and target not in donor.iterancestors():
            with contextlib.suppress(ValueError, TypeError):
                donor.append(_copy(target))
    else:
        local = etree.QName(target).localname
        swap = rng.choice(("stock", "flow", "aux", "module", "gf", "dim", "eqn", "model",
                           "dimensions", "element", "inflow", "outflow", "connect"))
        target.tag = target.tag.replace(local, swap) if isinstance(target.tag, str) else swap
    return str(etree.tostring(root, encoding="unicode")).replace(_PLACEHOLDER, raw)


_PLACEHOLDER = "wholesystem-fuzz-raw-text"


def _copy(element: Any) -> Any:
    # A deep copy, not a reparse of the element alone: an entity reference (the XXE
    # seeds) is undefined outside its document, and reparsing it crashed the harness.
    return copy.deepcopy(element)


def _mdl_edit(text: str, rng: random.Random) -> str:
    head, sep, tail = text.partition("\\\\\\---///")
    entries = head.split("|")
    if len(entries) < 2:
        return _character_edit(text, rng)
    i = rng.randrange(len(entries) - 1)
    choice = rng.randrange(5)
    if choice == 0:
        del entries[i]
    elif choice == 1:
        entries.insert(i, entries[rng.randrange(len(entries) - 1)])
    elif choice == 2:
        j = rng.randrange(len(entries) - 1)
        entries[i], entries[j] = entries[j], entries[i]
    elif choice == 3:
        name, eq, rest = entries[i].partition("=")
        other = rng.choice(entries).partition("=")[2].partition("~")[0]
        if eq:
            entries[i] = name + eq + (other or " 1 ") + "~" + rest.partition("~")[2]
    else:
        entries.insert(i, rng.choice((
            "\ndim: (d1-d999999999) ~~", "\nx[dim] = 1 ~~", "\nd: a, b ~~\ny[d] = 1, 2, 3 ~~",
            "\nTIME STEP = 1e-300 ~~", "\nFINAL TIME = 1e300 ~~", "\nz = GET DIRECT "
            "CONSTANTS('/etc/passwd', ',', 'A1') ~~", "\nq = INTEG(q, :NA:) ~~",
            "\n:MACRO: M(a)\nM = a ~~\n:END OF MACRO: ~~", "\nw = w ~~")))
    return "|".join(entries) + sep + tail


_YAML_VALUES: tuple[Any, ...] = (0, -1, 1e308, -1e308, 1e-308, 10**12, 10**30, 0.5,
                                 "x", "", None, True, [], {}, [1, 2], {"a": 1},
                                 "2023-02-30", "9999-12-31", "0001-01-01", float("nan"),
                                 float("inf"), "leave", "baseline", "erlang", "day")


def _yaml_edit(text: str, rng: random.Random) -> str:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return _character_edit(text, rng)
    # Bounded: a seed may be an alias bomb, whose expanded tree is far too big to walk.
    paths = list(itertools.islice(_paths(document, (), set()), 5000))
    if not paths:
        return _character_edit(text, rng)
    path = rng.choice(paths)
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    choice = rng.randrange(4)
    if choice == 0:
        del parent[key]
    elif choice == 1 and isinstance(parent, list):
        parent.insert(key, parent[key])
    elif choice == 2 and isinstance(parent, dict):
        parent[f"{key}_{rng.randrange(9)}"] = parent[key]
    else:
        parent[key] = rng.choice(_YAML_VALUES)
    try:
        return yaml.safe_dump(document, sort_keys=False)
    except yaml.YAMLError:
        return text


def _paths(node: Any, path: tuple[Any, ...], seen: set[int]) -> Iterator[tuple[Any, ...]]:
    """Paths to every value, each shared (aliased) collection walked once."""
    if id(node) in seen:
        return
    seen.add(id(node))
    items = (node.items() if isinstance(node, dict)
             else enumerate(node) if isinstance(node, list) else ())
    for key, value in items:
        yield (*path, key)
        yield from _paths(value, (*path, key), seen)


STRUCTURED: dict[str, Callable[[str, random.Random], str]] = {
    "xmile": _xml_edit, "mdl": _mdl_edit, "yaml": _yaml_edit}


def mutate(fmt: str, text: str, rng: random.Random, donors: list[str]) -> str:
    """One to three stacked mutations of ``text`` (a seed of format ``fmt``)."""
    for _ in range(rng.choice((1, 1, 2, 3))):
        choice = rng.randrange(10)
        if choice < 4:
            text = STRUCTURED[fmt](text, rng)
        elif choice < 7:
            text = _number_edit(text, rng)
        elif choice < 9:
            text = _character_edit(text, rng)
        elif donors:
            donor = rng.choice(donors)
            text = text[:rng.randrange(len(text) + 1)] + donor[rng.randrange(len(donor) + 1):]
    return text


# -- running one case ---------------------------------------------------------------------
CASE_LIMITS = ("--limit", "max_steps=100000")
"""Limits sized to a case's seconds, as a server sizes them to its time per job
(SECURITY.md): within the default limits a model may legally ask for minutes of
simulation, which says nothing about the project's robustness. A hang is then work the
limits fail to bound."""


def _arguments(command: str, path: Path, out: Path) -> list[str]:
    if command.startswith("convert-"):
        return ["convert", str(path), "--to", command.split("-", 1)[1], "-o", str(out)]
    if command == "compile":
        return ["compile", str(path)]
    if command == "run":
        return ["run", str(path), "-o", str(out), *CASE_LIMITS]
    if command == "journeys":
        return ["journeys", str(path), "--runs", "2", "--json", *CASE_LIMITS]
    if command == "compare":
        return ["compare", str(path), "--scenario", _a_scenario(path), *CASE_LIMITS]
    return [command, str(path), *CASE_LIMITS]


def _a_scenario(path: Path) -> str:
    """The first scenario or intervention a system file names (else ``baseline``)."""
    with contextlib.suppress(Exception):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in ("scenarios", "interventions"):
            names = document.get(block) or {}
            if isinstance(names, dict) and names:
                return str(next(iter(names)))
    return "baseline"


def classify(command: str, path: Path) -> tuple[str, str]:
    """Run ``command`` on ``path`` in this process: (outcome, detail)."""
    import typer

    from wholesystem.errors import WholesystemError
    from wholesystem.interfaces.cli import app

    out = path.with_suffix(path.suffix + ".out")
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            app(args=_arguments(command, path, out), standalone_mode=False)
    except MemoryError:
        return "memory", "MemoryError"
    except WholesystemError as err:
        if "out of memory" in err.message:
            return "memory", str(err)
        located = bool(_LOCATED.search(str(err)))
        return "error", ("located: " if located else "unlocated: ") + str(err)[:300]
    except (OSError, UnicodeError, typer.TyperException, typer.Exit, typer.Abort) as err:
        return "error", f"unlocated: {type(err).__name__}: {err}"[:300]
    except SystemExit as err:  # check exits 1 after printing its diagnostics
        if err.code in (0, None):
            return "ok", ""
        printed = sink.getvalue()
        located = bool(_LOCATED.search(printed))
        return "error", ("located: " if located else "unlocated: ") + printed[-300:]
    except RecursionError:
        return "internal", traceback.format_exc(limit=-8)
    except Exception:
        return "internal", traceback.format_exc(limit=-12)
    return "ok", ""


def _child(command: str, path: str, seconds: float, memory_mb: int, send: Any) -> None:
    limit = memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # The case's seconds are CPU seconds (SIGXCPU when spent): on a shared machine, wall
    # time counts other people's work as this case's.
    cpu = max(1, math.ceil(seconds))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    send.send(classify(command, Path(path)))
    send.close()


def run_case(command: str, path: Path, seconds: float, memory_mb: int) -> tuple[str, str]:
    """``classify`` in a forked child with a CPU-time and address-space limit (and a wall
    clock guard of ``WALL_FACTOR`` times the seconds, for a child that sleeps or blocks)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(command, str(path), seconds, memory_mb,
                                                 send))
    child.start()
    send.close()
    outcome: tuple[str, str] | None = None
    if receive.poll(seconds * WALL_FACTOR):
        with contextlib.suppress(EOFError):
            outcome = receive.recv()
    if outcome is None and child.is_alive():
        child.kill()
        child.join()
        return "hang", f"over {seconds * WALL_FACTOR:g} s of wall-clock time"
    child.join(5)
    if outcome is None and child.exitcode == -signal.SIGXCPU:
        return "hang", f"over {seconds:g} s of CPU time"
    if outcome is None:
        return "memory", f"child ended with code {child.exitcode} (killed or out of memory)"
    return outcome


@dataclass
class Tally:
    """Outcome counts per (format, command), and located errors."""

    counts: collections.Counter[tuple[str, str, str]]
    located: collections.Counter[tuple[str, str]]

    def add(self, fmt: str, command: str, outcome: str, detail: str) -> None:
        self.counts[fmt, command, outcome] += 1
        if outcome == "error" and detail.startswith("located"):
            self.located[fmt, command] += 1

    def table(self) -> str:
        rows = [f"{'format':6} {'command':14} " + " ".join(f"{o:>8}" for o in OUTCOMES)
                + f" {'located':>8}"]
        for fmt, commands in COMMANDS.items():
            for command in commands:
                values = [self.counts[fmt, command, o] for o in OUTCOMES]
                if sum(values):
                    rows.append(f"{fmt:6} {command:14} " + " ".join(f"{v:8d}" for v in values)
                                + f" {self.located[fmt, command]:8d}")
        totals = [sum(v for (_, _, o), v in self.counts.items() if o == name)
                  for name in OUTCOMES]
        rows.append(f"{'all':6} {'':14} " + " ".join(f"{v:8d}" for v in totals)
                    + f" {sum(self.located.values()):8d}")
        return "\n".join(rows)


def warm_up() -> None:
    """Import and build the parsers once here, so each forked case starts warm."""
    import wholesystem
    import wholesystem.interfaces.cli

    for name in ("teacup", "teacup_vensim"):
        with contextlib.suppress(Exception):
            wholesystem.load(wholesystem.example_path(name)).run()


def fuzz(seconds: float, seed: int, case_seconds: float, memory_mb: int, out: Path,
         max_cases: int | None = None, shared: Path | None = None,
         log: Callable[[str], None] = print) -> Tally:
    """Fuzz for ``seconds`` (or ``max_cases`` cases); failing inputs are kept in ``out``."""
    warm_up()
    rng = random.Random(seed)
    pool = seeds(shared)
    by_format: dict[str, list[str]] = collections.defaultdict(list)
    for fmt, _, text in pool:
        by_format[fmt].append(text)
    tally = Tally(collections.Counter(), collections.Counter())
    out.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + seconds
    case = 0
    with tempfile.TemporaryDirectory(prefix="wholesystem-fuzz-") as work:
        while time.monotonic() < deadline and (max_cases is None or case < max_cases):
            # Formats in turn, so YAML gets its share beside the many shared models.
            fmt = rng.choice(sorted(by_format))
            fmt, name, text = rng.choice([seed for seed in pool if seed[0] == fmt])
            mutated = mutate(fmt, text, rng, by_format[fmt])
            command = rng.choice(COMMANDS[fmt])
            path = Path(work) / f"case{case}{SUFFIX[fmt]}"
            path.write_text(mutated, encoding="utf-8", errors="surrogatepass")
            outcome, detail = run_case(command, path, case_seconds, memory_mb)
            tally.add(fmt, command, outcome, detail)
            if outcome in FAILURES:
                kept = out / f"{outcome}-{case:05d}-{command}{SUFFIX[fmt]}"
                kept.write_text(mutated, encoding="utf-8", errors="surrogatepass")
                kept.with_suffix(".txt").write_text(f"seed {name}\n{command}\n{detail}\n")
                log(f"case {case}: {outcome} ({fmt} {command}, from {name}): "
                    f"{detail.strip().splitlines()[-1] if detail.strip() else ''}")
            for leftover in Path(work).iterdir():
                leftover.unlink()
            case += 1
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case-seconds", type=float, default=30.0)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--max-cases", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) /
                        "wholesystem-fuzz")
    args = parser.parse_args()
    shared = Path(os.environ.get("WHOLESYSTEM_SHARED", ROOT.parent / "shared"))
    started = time.monotonic()
    tally = fuzz(args.minutes * 60, args.seed, args.case_seconds, args.memory_mb, args.out,
                 args.max_cases, shared if shared.is_dir() else None)
    elapsed = time.monotonic() - started
    cases = sum(tally.counts.values())
    print(f"\n{cases} cases in {elapsed:.0f} s (seed {args.seed}); failing inputs in "
          f"{args.out}")
    print(tally.table())
    failures = sum(v for (_, _, o), v in tally.counts.items() if o in FAILURES)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
