"""The fuzz regression corpus, replayed through every command of each format, and a short
seeded run of the fuzzer (``benchmarks/fuzz.py``): every outcome is a result or a clear
error, never an internal error, a hang or a memory blow-up."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(p for p in (ROOT / "tests" / "fuzz_corpus").iterdir()
                if p.suffix in (".xmile", ".mdl", ".yaml"))
CASE_SECONDS = 120  # far above any case's time; only a hang reaches it


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wholesystem_fuzz",
                                                  ROOT / "benchmarks" / "fuzz.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


FUZZ = _fuzz()
FUZZ.warm_up()  # imported once here, so every forked case starts warm


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_corpus_input_gives_a_result_or_a_clear_error(path: Path, tmp_path: Path) -> None:
    fmt = FUZZ.FORMATS[path.suffix]
    copy = tmp_path / path.name  # outputs land beside the input
    copy.write_bytes(path.read_bytes())
    for command in FUZZ.COMMANDS[fmt]:
        outcome, detail = FUZZ.run_case(command, copy, CASE_SECONDS, 4096)
        assert outcome in ("ok", "error"), f"{command}: {outcome}\n{detail}"
    assert not Path("/tmp/wholesystem-fuzz-canary").exists()


def test_a_short_seeded_fuzz_run(tmp_path: Path) -> None:
    """Eight mutated cases from seed 0, over examples and corpus alike."""
    tally = FUZZ.fuzz(3600, 0, CASE_SECONDS, 4096, tmp_path / "failures", max_cases=8,
                      log=lambda line: None)
    failures = {k: v for k, v in tally.counts.items() if k[2] in FUZZ.FAILURES}
    assert not failures, f"{failures}; inputs in {tmp_path / 'failures'}"
    assert sum(tally.counts.values()) == 8


def test_the_xml_mutator_passes_nul_through_to_the_reader() -> None:
    """lxml refuses to hold a NUL in element text; the mutator splices it into the written
    file instead (it once crashed the harness), so readers still meet NUL bytes."""
    import random
    text = (ROOT / "src" / "wholesystem" / "examples" / "teacup" / "teacup.xmile").read_text()
    outputs = [FUZZ.mutate("xmile", text, random.Random(seed), []) for seed in range(1500)]
    assert any("\x00" in out for out in outputs)
