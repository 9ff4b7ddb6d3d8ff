"""NaN and infinity in results: a warning naming the first variable and time, an error
when strict, silence when the model writes NaN itself."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from xmile_factory import aux, flow, stock, xmile

from wholesystem.errors import NonFiniteWarning, SimulationError
from wholesystem.interfaces.cli import main
from wholesystem.parse import read_vensim_text, read_xmile_text
from wholesystem.run import Model

# share = 1 / (3 - TIME): finite at t = 0, 1, 2, infinite at t = 3 (1/0), then negative.
# level integrates a growth of LN(2 - TIME): LN(0) = -inf at t = 2, LN(-1) = NaN at t = 3.
DIVIDES = xmile(aux("share", "1 / (3 - TIME)"), stop=5)
DOMAIN = xmile(stock("level", "0", inflows="growth") + flow("growth", "LN(2 - TIME)"), stop=5)


def _model(text: str) -> Model:
    return Model(read_xmile_text(text, "m.xmile"))


def test_division_by_zero_warns_with_variable_and_time() -> None:
    with pytest.warns(NonFiniteWarning) as caught:
        results = _model(DIVIDES).run()
    assert results["share"].iloc[1] == 0.5  # the results still come back: 1 / (3 - 1)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("m.xmile:")
    assert "warning: 'share' is infinite from time 3: the first value" in message


def test_domain_error_names_the_first_variable() -> None:
    """growth = LN(0) = -inf at t = 2, before level (which takes it in at t = 3)."""
    with pytest.warns(NonFiniteWarning, match="'growth' is infinite from time 2"):
        _model(DOMAIN).run()


def test_strict_makes_it_an_error() -> None:
    with pytest.raises(SimulationError, match="'share' is infinite from time 3") as caught:
        _model(DIVIDES).run(strict=True)
    assert "SAFEDIV" in str(caught.value)
    with pytest.raises(SimulationError, match="in run 1"):
        _model(DIVIDES.replace("3 - TIME", "k - TIME") .replace(
            "</variables>", aux("k", "3") + "</variables>")).run_many(
            {"k": [10.0, 3.0]}, strict=True)


def test_a_model_that_writes_nan_is_not_warned_about() -> None:
    """Vensim's :NA: means 'missing' on purpose; so do XMILE's NAN and INF."""
    text = "x = :NA: ~~|\nINITIAL TIME = 0 ~~|\nFINAL TIME = 2 ~~|\nTIME STEP = 1 ~~|\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonFiniteWarning)
        Model(read_vensim_text(text, "m.mdl")).run()
        _model(xmile(aux("x", "NAN"))).run(strict=True)
        _model(xmile(aux("x", "1"))).run(strict=True)


def test_cli_warns_and_strict_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.xmile"
    path.write_text(DIVIDES)
    assert main(["run", str(path), "-o", str(tmp_path / "out.csv")]) == 0
    assert "warning: 'share' is infinite from time 3" in capsys.readouterr().err
    assert main(["run", str(path), "--strict"]) == 1
    assert "error: 'share' is infinite from time 3" in capsys.readouterr().err
