"""Property test: strings from model files are data, never code (issue 8).

Every string a model file holds (its file name, variable, dimension, element, module and
macro names, units, documentation, data file names) can reach the generated Python only as a
``repr()`` literal, a generated identifier or an escaped comment. Hostile strings are built
from the pieces that break naive code generation: every kind of quote, triple quotes,
backslashes, newlines and carriage returns, NUL, form feed, Unicode line separators, format
braces, and a payload that would create a canary file if it ever ran as Python. For each
format (XMILE, Vensim, system files) the same model is written twice, once with hostile
names and once with plain ones; the property is that

- the canary file is never created (nothing from the file ran), and
- the results are the same numbers (the names changed nothing but the labels).

Each format filters out only the characters its own syntax cannot hold in that place (XML
has no NUL; a Vensim unit cannot hold ``~``; a file name cannot hold ``/``), so every other
piece reaches the code generator.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import wholesystem
from wholesystem.run import load

CANARY_NAME = "CANARY_RAN"


def payload(folder: Path) -> str:
    """Python that creates the canary file in ``folder`` if it is ever executed."""
    target = str(folder / CANARY_NAME)
    return f'__import__("pathlib").Path({target!r}).touch()'


def pieces(folder: Path) -> list[str]:
    code = payload(folder)
    return ['"', "'", '"""', "'''", "\\", "\n", "\r", "\r\n", "\x00", "\x0c", "\u2028",
            "\u2029", "\x85", "{", "}", "{0}", "{__import__}", "#", "%s", "é", " ",
            f'"""+str({code})+"""', f"'+str({code})+'", f"\n{code}\n", f"\r{code}#",
            f"\u2028{code}", f"{{{code}}}", f"\\\n{code}", "__import__"]


def hostile(folder: Path) -> st.SearchStrategy[str]:
    """Strings made of dangerous pieces, with plain letters between them."""
    return st.lists(st.one_of(st.sampled_from(pieces(folder)),
                              st.sampled_from(["a", "B", "z9", "_"])),
                    min_size=1, max_size=6).map("".join)


def without(text: str, forbidden: str) -> str:
    return "".join(c for c in text if c not in forbidden)


def file_safe(text: str) -> str:
    """A file name: no ``/`` or NUL, short enough for any file system."""
    return without(text, "/\x00")[:60].encode("utf-8")[:150].decode("utf-8", "ignore")


def same_numbers(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal results up to column labels (columns are compared as sorted value rows)."""
    assert left.shape == right.shape
    assert np.array_equal(left.index.to_numpy(), right.index.to_numpy())

    def rows(frame: pd.DataFrame) -> list[tuple[float, ...]]:
        return sorted(tuple(np.round(frame[c].to_numpy(dtype=float), 12)) for c in frame)

    assert rows(left) == rows(right)


SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


# -- XMILE -------------------------------------------------------------------------------------

def xml_safe(text: str) -> str:
    """XML 1.0 holds no control characters but tab, newline and carriage return."""
    return "".join(c for c in text if c in "\t\n\r" or not (ord(c) < 32 or (0x7f <= ord(c) < 0xa0
                                                              and c != "\x85")))


def xmile_model(name: str, units: str, doc: str, dim: str, elements: tuple[str, str]) -> str:
    """A stock fed by a flow, an arrayed constant and a module, all named from ``name``."""
    n = xml_safe(name)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>{escape(n)}</name></header>
<sim_specs method="Euler" time_units="days"><start>0</start><stop>5</stop><dt>1</dt>
</sim_specs>
<dimensions><dim name={quoteattr("D" + xml_safe(dim))}>
<elem name={quoteattr("E" + xml_safe(elements[0]))}/>
<elem name={quoteattr("F" + xml_safe(elements[1]))}/></dim></dimensions>
<model><variables>
<stock name={quoteattr("S" + n)}><eqn>10</eqn><inflow>growth</inflow>
<units>{escape(xml_safe(units))}</units><doc>{escape(xml_safe(doc))}</doc></stock>
<flow name="growth"><eqn>0.5 * rate</eqn><units>{escape(xml_safe(units))}</units></flow>
<aux name="rate"><eqn>2</eqn><doc>{escape(xml_safe(doc))}</doc></aux>
<aux name={quoteattr("A" + n)}><dimensions><dim name={quoteattr("D" + xml_safe(dim))}/>
</dimensions><eqn>3</eqn></aux>
<module name={quoteattr("M" + n)}/>
</variables></model>
<model name={quoteattr("M" + n)}><variables><aux name="inner"><eqn>TIME * 2</eqn></aux>
</variables></model>
</xmile>"""


@st.composite
def xmile_case(draw: st.DrawFn, folder: Path) -> tuple[str, str, str, str, str, tuple[str, str]]:
    text = hostile(folder)
    return (file_safe(draw(text)), draw(text), draw(text), draw(text), draw(text),
            (draw(text), draw(text)))


def run_file(folder: Path, file_name: str, text: str, suffix: str) -> pd.DataFrame:
    path = folder / f"m{file_name}{suffix}"
    path.write_text(text, encoding="utf-8", newline="")
    model = load(path)
    model.source  # the generated text is built and compiled  # noqa: B018
    return model.run()


@given(data=st.data())
@example(data=None)
@SETTINGS
def test_xmile_strings_never_run(tmp_path_factory, data) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("xmile")
    if data is None:  # the exploit from the issue, in the file name
        case = ('"""+str(__import__("os").system("touch CANARY_RAN"))+"""', "x", "u", "d", "e",
                ("f", "g"))
    else:
        case = data.draw(xmile_case(folder))
    file_name, name, units, doc, dim, elements = case
    hostile_run = run_file(folder, file_name, xmile_model(name, units, doc, dim, elements),
                           ".xmile")
    plain_run = run_file(folder, "plain", xmile_model("x", "u", "d", "dim", ("e", "f")),
                         ".xmile")
    assert not (folder / CANARY_NAME).exists()
    assert not (Path.cwd() / CANARY_NAME).exists()
    same_numbers(hostile_run, plain_run)


# -- Vensim ------------------------------------------------------------------------------------

def vensim_quoted(text: str) -> str:
    """A Vensim quoted name: backslashes and quotes escaped, no line breaks (a quoted name
    is one line)."""
    flat = without(text, "\n\r\x85\u2028\u2029\x0c")
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def vensim_field(text: str) -> str:
    """Units or documentation: anything but the field separators ``~`` and ``|``."""
    return without(text, "~|")


CONTROL = """INITIAL TIME = 0 ~ Month ~ |
FINAL TIME = 5 ~ Month ~ |
TIME STEP = 1 ~ Month [0,?] ~ |
SAVEPER = TIME STEP ~ Month [0,?] ~ |
"""


def vensim_model(name: str, units: str, doc: str, dim: str, data_file: str) -> str:
    stock = vensim_quoted("S" + name)
    dimension = vensim_quoted("D" + dim)
    return (f"{{UTF-8}}\n{dimension}: e1, e2 ~~|\n"
            f"{stock} = INTEG(growth, 10) ~ {vensim_field(units)} ~ {vensim_field(doc)} |\n"
            f"growth = 0.5 * rate * ACCUMULATE({stock}) ~~|\n"
            f"rate = GET DIRECT CONSTANTS('{data_file}', ',', 'B2') ~~|\n"
            f"{vensim_quoted('A' + name)}[{dimension}] = 3 ~ {vensim_field(units)} ~|\n"
            ":MACRO: ACCUMULATE(input)\nACCUMULATE = input * 0 + 1 ~~|\n:END OF MACRO:\n"
            + CONTROL)


@given(data=st.data())
@SETTINGS
def test_vensim_strings_never_run(tmp_path_factory, data) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("vensim")
    text = hostile(folder)
    file_name = file_safe(data.draw(text))
    # a data file name sits in '...' in the equation
    data_file = "d" + without(file_safe(data.draw(text)), "'\n\r\x85\u2028\u2029") + ".csv"
    (folder / data_file).write_text("name,value\nrate,2\n", encoding="utf-8")
    (folder / "plain.csv").write_text("name,value\nrate,2\n", encoding="utf-8")
    model = vensim_model(data.draw(text), data.draw(text), data.draw(text), data.draw(text),
                         data_file)
    hostile_run = run_file(folder, file_name, model, ".mdl")
    plain_run = run_file(folder, "plain", vensim_model("x", "u", "d", "dim", "plain.csv"),
                         ".mdl")
    assert not (folder / CANARY_NAME).exists()
    same_numbers(hostile_run, plain_run)


# -- system files ------------------------------------------------------------------------------

def system_model(name: str, org: str, service: str, cohort: str, csv_name: str) -> str:
    """A system file whose free-text fields are ``json.dumps`` strings (JSON is YAML), so any
    character, NUL included, arrives as written."""
    q = json.dumps
    return f"""\
name: {q(name)}
time: {{horizon: 20, step: 1, unit: day}}
organisations:
  trust: {q(org)}
  council: {{name: {q(org + "2")}}}
services:
  ward:
    name: {q(service)}
    owner: trust
    length_of_stay: 5
    costs: {{per_occupied_day: 400}}
  care:
    owner: council
    capacity: 10
    length_of_stay: 20
    costs: {{per_occupied_day: 100}}
    when_full: {{queue_in: {q(service + " queue")}, payer: trust}}
cohorts:
  older:
    name: {q(cohort)}
    needs:
      illness: {{service: ward, arrivals: {{csv: {q(csv_name)}, column: n}}}}
pathways:
  - from: ward
    routes:
      - {{to: care, fraction: 0.25}}
      - {{to: leave, fraction: 0.75}}
"""


def run_system(folder: Path, file_name: str, text: str) -> pd.DataFrame:
    path = folder / f"s{file_name}.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    system = wholesystem.load_system(path)
    return system.run("baseline")


@given(data=st.data())
@SETTINGS
def test_system_file_strings_never_run(tmp_path_factory, data) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("system")
    text = hostile(folder)
    csv_name = "c" + file_safe(data.draw(text)) + ".csv"
    (folder / csv_name).write_text("time,n\n0,4\n10,6\n", encoding="utf-8")
    (folder / "plain.csv").write_text("time,n\n0,4\n10,6\n", encoding="utf-8")
    hostile_run = run_system(folder, file_safe(data.draw(text)),
                             system_model(data.draw(text), data.draw(text), data.draw(text),
                                          data.draw(text), csv_name))
    plain_run = run_system(folder, "plain", system_model("n", "o", "s", "c", "plain.csv"))
    assert not (folder / CANARY_NAME).exists()
    same_numbers(hostile_run, plain_run)
