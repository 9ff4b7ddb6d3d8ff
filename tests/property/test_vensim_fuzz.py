"""Property tests of the Vensim reader: damaged .mdl texts fail only with wholesystem errors.

Small valid models are truncated, have characters deleted, replaced or inserted (from the
.mdl language's own punctuation and keywords, so the parser reaches deep states), and have
whole lines swapped. Reading the result either succeeds or raises a
:class:`~wholesystem.errors.WholesystemError` whose position lies inside the text; never
a bare lark or Python exception.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from wholesystem.errors import WholesystemError
from wholesystem.parse.vensim import read_vensim_text

CONTROL = """FINAL TIME = 10 ~ Month ~ |
INITIAL TIME = 0 ~ Month ~ |
SAVEPER = TIME STEP ~ Month [0,?] ~ |
TIME STEP = 1 ~ Month [0,?] ~ |
\\\\\\---/// Sketch information
*View 1
"""

MODELS = [
    "{UTF-8}\nstock = INTEG(inflow - outflow, 10) ~ people ~ A stock. |\n"
    "inflow = 2 * stock / horizon ~~|\noutflow = MIN(stock, 3) ~~|\nhorizon = 5 ~~|\n",
    "dim: (a1-a3), b -> other ~~|\nother: o1, o2, o3, o4 ~~|\nsub: a1, a2 ~~|\n"
    "x[sub] = y[sub] * 2 ~~|\nx[a3] = 1 ~~|\nx[b] = SUM(y[dim!]) ~~|\n"
    "y[dim] = 1, 2, 3, 4 ~~|\nz[dim, other] :EXCEPT: [b, o1] = 0 ~~|\nz[b, o1] = 1 ~~|\n",
    "tbl([(0,0)-(2,2)], (0,0), (1, 0.5), (2, 2)) ~~|\nv = tbl(Time) ~~|\n"
    "w = WITH LOOKUP(v, ((0, 1), (3, 4))) ~~|\n"
    "c = IF THEN ELSE(v > 1 :AND: :NOT: w = 2, :NA:, -v^2) ~~|\n"
    "d :INTERPOLATE: := GET XLS DATA('f.xlsx', 's', 'A', 'B2') ~~|\ne ~~|\n"
    "help :IS: 'text' ~~|\nA2 <-> dim ~~|\ndim: p, q ~~|\n",
    ":MACRO: ACC(input, start : twice)\nACC = INTEG(input, start) ~~|\n"
    "twice = 2 * ACC ~~|\n:END OF MACRO:\nm = ACC(1, 0 : doubled) ~~|\n"
    "\"quoted \\\"name\\\"\" = m + doubled ~~|\n",
]

PIECES = ["~", "|", "~~|", "[", "]", "(", ")", "{", "}", "\"", "'", ",", ";", ":", "=", "==",
          ":=", "<->", "->", "!", "-", "^", "*", "\\\n", "\n", "\r", " ", ":MACRO:",
          ":END OF MACRO:", ":EXCEPT:", ":NA:", ":AND:", "INTEG(", "WITH LOOKUP(", "(a1-a9)",
          "x", "dim", "1e9", ".", "\t", "****", "\\\\\\---///", "é", "\u2028", "\x00"]


@st.composite
def damaged(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(MODELS)) + CONTROL
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["cut", "delete", "insert", "replace", "swap"]))
        at = draw(st.integers(0, len(text)))
        if action == "cut":
            text = text[:at]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)):]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif action == "replace":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at + 1:]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


def _check(text: str) -> None:
    try:
        read_vensim_text(text, "fuzz.mdl")
    except WholesystemError as error:
        assert str(error).startswith("fuzz.mdl")
        if error.span is not None and error.span.line > 0:
            normalised = text.replace("\r\n", "\n").replace("\r", "\n")
            assert error.span.line <= normalised.count("\n") + 1


def test_the_models_read() -> None:
    for model in MODELS:
        read_vensim_text(model + CONTROL, "fuzz.mdl")


@given(damaged())
@example("{UTF-8}\nx = (1 + 2 ~~|\n" + CONTROL)
@example("x[a, b] = 1 ~~|\n" + CONTROL)
@example("d: (a1-a999999999) ~~|\n" + CONTROL)
@example(":MACRO: M(\n" + CONTROL)
def test_damaged_models_raise_only_wholesystem_errors(text: str) -> None:
    _check(text)


@given(st.lists(st.sampled_from(PIECES), max_size=60).map(lambda p: "".join(p) + "\n" + CONTROL))
def test_random_pieces_raise_only_wholesystem_errors(text: str) -> None:
    _check(text)
