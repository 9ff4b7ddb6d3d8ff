"""wholesystem.export.builtin_map: every translated builtin computes what the original did.

Each case is a one-line model run twice by the engine: as written, and translated into the
other language's builtins (XMILE -> Vensim: the translated project compiled with Vensim's
meanings; Vensim -> XMILE: exported to XMILE and read back). The runs must agree exactly.
Vensim models are written here as XMILE files whose header marks their equations as
Vensim's, the form ``wholesystem convert`` itself uses for Vensim functions XMILE lacks.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from xmile_factory import aux, xmile

from wholesystem.errors import UnsupportedFeatureError
from wholesystem.export import export_xmile
from wholesystem.export.builtin_map import translate_equations, xmile_to_vensim_call
from wholesystem.ir.model import Project
from wholesystem.parse import read_xmile_text
from wholesystem.run import Model

DIMENSIONS = '<dim name="Region"><elem name="north"/><elem name="south"/><elem name="east"/></dim>'
COMMON = (
    aux("input", "STEP(10, 2.5) + TIME * 2 - 3")
    + aux("wave", "SIN(TIME) * 4")
    + aux("gap", "TIME - 4")
    + aux("values", "3, -1, 7", dims="Region")
    + '<gf name="table"><xpts>0,2,5,9</xpts><ypts>1,4,2,6</ypts></gf>'
    + '<gf name="ramp table" type="extrapolate"><xpts>0,1</xpts><ypts>0,2</ypts></gf>'
    + '<gf name="steps" type="discrete"><xpts>0,3,6</xpts><ypts>1,5,5</ypts></gf>'
)
# What a Vensim file defines for itself; XMILE names them DT, STARTTIME, STOPTIME.
CONTROLS = (aux("TIME STEP", "0.5") + aux("INITIAL TIME", "0") + aux("FINAL TIME", "10")
            + aux("SAVEPER", "0.5"))


def _project(equation: str, *, dialect: str = "xmile", dt: float = 0.5) -> Project:
    text = xmile(COMMON + aux("out", equation), dt=dt, dimensions=DIMENSIONS)
    if dialect == "mdl":
        text = text.replace(
            "<header><name>test</name></header>",
            '<header><name>test</name><ws:dialect xmlns:ws="urn:wholesystem:xmile:1">mdl'
            "</ws:dialect></header>")
    return read_xmile_text(text, "case.xmile")


def _same(before: pd.DataFrame, after: pd.DataFrame) -> None:
    for column in before.columns:
        np.testing.assert_allclose(after[column].to_numpy(), before[column].to_numpy(),
                                   rtol=1e-12, atol=1e-12, err_msg=column)


XMILE_CASES = [
    "SMTH1(input, 3)", "SMTH1(input, 3, 5)", "SMTH3(input, 3)", "SMTH3(input, 3, 5)",
    "SMTHN(input, 3, 2)", "SMTHN(input, 3, 2, 1)",
    "DELAY1(input, 2)", "DELAY1(input, 2, 1)", "DELAY3(input, 2)", "DELAY3(input, 2, 1)",
    "DELAYN(input, 2, 3)", "DELAYN(input, 2, 3, 1)",
    "DELAY(input, 2)", "DELAY(input, 2, 7)", "DELAY(input, 1 + TIME / 4, 7)",
    "PREVIOUS(input)", "PREVIOUS(input, 3)",
    "TREND(wave, 2)", "TREND(wave, 2, 0.1)", "FORECAST(input, 2, 3)",
    "FORECAST(input, 2, 3, 0.1)", "INIT(input)",
    "SAFEDIV(input, gap)", "SAFEDIV(input, gap, 9)",
    "INT(TIME - 4.3)", "INT(-2.5)", "ROUND(TIME - 4.5)", "ROUND(-TIME / 2)",
    "TIME MOD 3", "LOG10(TIME + 1)",
    "STEP(3, 2)", "STEP(3, 2.3)", "STEP(3, gap + 6)",
    "RAMP(2, 3)", "RAMP(2, 3, 6)",
    "PULSE(5, 2)", "PULSE(5, 2.3)", "PULSE(5, 2, 3)", "PULSE(5, 2.2, 1.3)",
    "PULSE(5, 2, gap)",
    "MIN(values[*])", "MAX(values[*])", "MIN(input, wave)", "MEAN(values[*])",
    "SIZE(values[*])", "SUM(values[*])", "PROD(values[*])",
    "table(TIME)", "LOOKUP(table, TIME)", "ramp_table(TIME - 2)", "steps(TIME)",
    "IF TIME > 3 AND NOT (gap = 1) THEN PI ELSE DT + STARTTIME + STOPTIME",
    "ABS(gap) + EXP(wave / 4) + SQRT(TIME) + LN(TIME + 1) + ARCTAN(wave) + COS(TIME)",
    "IF_THEN_ELSE(gap > 0, 1, -1) * 2 ^ -gap",
]


@pytest.mark.parametrize("equation", XMILE_CASES)
def test_xmile_builtins_keep_their_meaning_in_vensim(equation: str) -> None:
    project = _project(equation, dialect="xmile")
    project = replace(project, models=(replace(project.main, variables=(
        *project.main.variables, *_project_controls())),))
    translated = translate_equations(project, xmile_to_vensim_call, "mdl", strict=True)
    assert translated is not None
    before = Model(project).run()
    after = Model(replace(translated, format="mdl")).run()
    _same(before, after[before.columns])


def _project_controls() -> tuple:
    return read_xmile_text(xmile(CONTROLS), "controls.xmile").main.variables


VENSIM_CASES = [
    "SMOOTH(input, 3)", "SMOOTHI(input, 3, 5)", "SMOOTH3(input, 3)", "SMOOTH3I(input, 3, 5)",
    "SMOOTH_N(input, 3, 1, 2)", "DELAY1(input, 2)", "DELAY1I(input, 2, 1)",
    "DELAY3(input, 2)", "DELAY3I(input, 2, 1)", "DELAY_N(input, 2, 1, 3)",
    "DELAY_FIXED(input, 2, 7)", "DELAY_FIXED(input, 0.2, 7)", "DELAY_FIXED(input, gap + 6, 7)",
    "DELAY_INFORMATION(input, 1 + TIME / 4, 7)",
    "XIDZ(input, gap, 9)", "ZIDZ(input, gap)", "INTEGER(TIME - 4.3)", "MODULO(TIME, 3)",
    "QUANTUM(TIME - 3.3, 2)", "QUANTUM(TIME - 3.3, gap)", "POWER(TIME, 1.5)",
    "LOG(TIME + 1, 3)", "GAME(input)", "TIME_BASE(3, 2)",
    "STEP(3, 2)", "STEP(3, 2.3)", "STEP(3, gap + 6)",
    "PULSE(2, 0)", "PULSE(2, 1)", "PULSE(2.3, 1.1)", "PULSE(2, gap)",
    "PULSE_TRAIN(1, 0.5, 2, 8)", "PULSE_TRAIN(1.2, 0.7, 2.1, 8)",
    "PULSE_TRAIN(1, 1, gap, 8)", "PULSE_TRAIN(1, 3, 2, 8)",
    "TREND(wave, 2, 0.1)", "FORECAST(input, 2, 3)", "INITIAL(input)", "REINITIAL(input)",
    "VMIN(values[*:Region])", "VMAX(values[*:Region])", "SUM(values[*:Region])",
    "PROD(values[*:Region])", "ELMCOUNT(Region)",
    "LOOKUP_EXTRAPOLATE(table, TIME)", "LOOKUP_BACKWARD(table, TIME)", "table(TIME)",
    "RAMP(2, 3, 6)", "MIN(input, wave) + MAX(input, wave) + ABS(gap)",
    "IF_THEN_ELSE(gap > 0, 1, -1)",
]


@pytest.mark.parametrize("equation", VENSIM_CASES)
def test_vensim_builtins_keep_their_meaning_in_xmile(equation: str) -> None:
    project = _project(equation, dialect="mdl")
    text = export_xmile(project)
    assert "dialect" not in text, "every case here has an XMILE equivalent"
    again = read_xmile_text(text, "again.xmile")
    assert again.format == "xmile"
    _same(Model(project).run(), Model(again).run())


@pytest.mark.parametrize("equation", ["NPV(input, 0.1, 0, 1)", "LOOKUP_FORWARD(table, TIME)",
                                      "SAMPLE_IF_TRUE(gap > 0, input, 0)",
                                      "DELAY_N(input, 2 + STEP(1, 3), 1, 3)"])
def test_vensim_builtins_without_equivalent_keep_vensim_meanings(equation: str) -> None:
    project = _project(equation + " + SMOOTH(input, 2)", dialect="mdl")
    text = export_xmile(project)
    assert "<ws:dialect>mdl</ws:dialect>" in text
    assert "SMOOTH(" in text, "nothing is translated when something cannot be"
    again = read_xmile_text(text, "again.xmile")
    assert again.format == "mdl"
    _same(Model(project).run(), Model(again).run())


@pytest.mark.parametrize(("equation", "named"), [
    ("STDDEV(values[*])", "STDDEV"), ("RANK(values[*], 1)", "RANK"), ("INF", "INF"),
    ("DELAYN(input, gap + 5, 3)", "DELAYN with a delay time that varies")])
def test_xmile_builtins_without_equivalent_are_named_with_their_position(
        equation: str, named: str) -> None:
    project = _project(equation)
    with pytest.raises(UnsupportedFeatureError, match=f"'out': .*{named}") as error:
        translate_equations(project, xmile_to_vensim_call, "mdl", strict=True)
    assert str(error.value).startswith("case.xmile:")
