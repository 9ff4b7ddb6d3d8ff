"""wholesystem.parse.xmile.macros: XMILE 1.0 ``<macro>`` definitions and their calls.

Each model is a small XMILE string written here; every expected value is worked out by hand
from the macro's definition (XMILE 1.0 section 4.8), with DT = 1 and Euler integration
unless the test says otherwise: a stock at t + DT is its value at t plus DT times its net
flow at t.
"""

from __future__ import annotations

import pytest

from wholesystem.builtins.registry import lookup_builtin
from wholesystem.errors import (
    ArityError,
    ModelStructureError,
    UnsupportedFeatureError,
)
from wholesystem.ir.expr import Binary, Call, Number, Reference
from wholesystem.ir.model import Project, VariableKind
from wholesystem.parse.xmile import read_xmile_text
from wholesystem.run import Model

OASIS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"


def document(variables: str, macros: str, *, stop: float = 3, dt: float = 1,
             dimensions: str = "") -> str:
    """A whole XMILE file: the macros beside the main model, as section 4.8 places them."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<xmile version="1.0" xmlns="{OASIS}">\n'
        "<header><name>macros</name>"
        '<options><uses_macros recursive_macros="false" option_filters="false"/></options>'
        "</header>\n"
        f"<sim_specs><start>0</start><stop>{stop}</stop><dt>{dt}</dt></sim_specs>\n"
        f"<dimensions>{dimensions}</dimensions>\n"
        f"{macros}\n"
        f"<model><variables>\n{variables}\n</variables></model>\n"
        "</xmile>\n"
    )


def aux(name: str, eqn: str, dims: str = "") -> str:
    block = f'<dimensions><dim name="{dims}"/></dimensions>' if dims else ""
    return f'<aux name="{name}">{block}<eqn>{eqn}</eqn></aux>'


def read(variables: str, macros: str, **kw: float | str) -> Project:
    return read_xmile_text(document(variables, macros, **kw), "m.xmile")  # type: ignore[arg-type]


def run(variables: str, macros: str, **kw: float | str) -> dict[str, list[float]]:
    results = Model(read(variables, macros, **kw)).run()
    return {str(name): [float(v) for v in results[name]] for name in results.columns}


def position(text: str, needle: str) -> str:
    """``line:col`` of the first ``needle`` in ``text`` (both 1-based)."""
    before = text[:text.index(needle)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


DOUBLE = '<macro name="DOUBLE"><parm>x</parm><eqn>x * 2</eqn></macro>'
"""An expression macro (no variables): its value is its equation, x * 2."""

SMOOTH1 = """<macro name="SMOOTH1">
   <parm>input</parm>
   <parm>averaging_time</parm>
   <parm default="input">initial</parm>
   <eqn>Smooth_of_Input</eqn>
   <variables>
      <stock name="Smooth_of_Input">
         <eqn>initial</eqn>
         <inflow>change_in_smooth</inflow>
      </stock>
      <flow name="change_in_smooth">
         <eqn>(input - Smooth_of_Input)/averaging_time</eqn>
      </flow>
   </variables>
</macro>"""
"""The standard's own example of a macro with variables (XMILE 1.0 section 4.8.2)."""

ACCUMULATE = """<macro name="ACCUMULATE"><parm>rate</parm><eqn>total</eqn><variables>
  <stock name="total"><eqn>0</eqn><inflow>adding</inflow></stock>
  <flow name="adding"><eqn>rate</eqn></flow>
</variables></macro>"""
"""A stock from 0 filled by the macro's argument each DT."""


class TestExpressionMacro:
    def test_value_is_the_equation_with_the_argument_bound(self) -> None:
        """DOUBLE(x) = x * 2. DOUBLE(3) = 6 at every time; DOUBLE(TIME + 1) at t = 0, 1,
        2, 3 is (t + 1) * 2 = 2, 4, 6, 8."""
        values = run(aux("a", "DOUBLE(3)") + aux("b", "DOUBLE(TIME + 1)"), DOUBLE)
        assert values["a"] == [6, 6, 6, 6]
        assert values["b"] == [2, 4, 6, 8]

    def test_substituted_inline_as_ir_nodes(self) -> None:
        """An expression macro adds no variables: the call becomes Binary('*', argument, 2)
        with the argument's own node (the precedence of a + 1 kept by the tree: (a + 1) *
        2, not a + 1 * 2)."""
        project = read(aux("a", "1") + aux("b", "DOUBLE(a + 1)"), DOUBLE)
        assert [v.name for v in project.main.variables] == ["a", "b"]
        equation = project.main.variable_map()["b"].equation
        assert isinstance(equation, Binary)
        assert equation.op == "*"
        assert isinstance(equation.left, Binary)
        assert equation.left.op == "+"
        assert equation.right == Number(2.0, equation.right.span)
        assert run(aux("a", "1") + aux("b", "DOUBLE(a + 1)"), DOUBLE)["b"] == [4] * 4

    def test_argument_named_like_the_parameter(self) -> None:
        """Binding is by position, not by name: the model's own x (5) passed as x gives
        5 * 2 = 10; a model variable called x is never read by the macro otherwise."""
        assert run(aux("x", "5") + aux("b", "DOUBLE(x)"), DOUBLE)["b"] == [10] * 4

    def test_stateful_argument_used_twice_is_evaluated_once(self) -> None:
        """TWICE(x) = x + x. Its argument RANDOM(0, 1, 7) is a draw: substituted twice it
        would be two draws. It is held in one hidden auxiliary instead, so v is exactly
        twice that one draw."""
        twice = '<macro name="TWICE"><parm>x</parm><eqn>x + x</eqn></macro>'
        project = read(aux("v", "TWICE(RANDOM(0, 1, 7))"), twice)
        hidden = project.main.variable_map()["#twice.1.x"]
        assert isinstance(hidden.equation, Call)
        assert hidden.equation.function == "RANDOM"
        equation = project.main.variable_map()["v"].equation
        assert isinstance(equation, Binary)
        assert equation.left == equation.right
        assert isinstance(equation.left, Reference)
        assert equation.left.name == "#twice.1.x"


class TestDefaults:
    SCALE = ('<macro name="SCALE"><parm>x</parm><parm default="2">factor</parm>'
             "<eqn>x * factor</eqn></macro>")
    PLUS = ('<macro name="PLUS"><parm>x</parm><parm default="x + 1">y</parm>'
            "<eqn>x + y</eqn></macro>")

    def test_default_used_when_the_argument_is_left_out(self) -> None:
        """SCALE(x, factor = 2) = x * factor: SCALE(5) = 5 * 2 = 10, SCALE(5, 3) = 15."""
        values = run(aux("a", "SCALE(5)") + aux("b", "SCALE(5, 3)"), self.SCALE)
        assert values["a"] == [10] * 4
        assert values["b"] == [15] * 4

    def test_default_over_an_earlier_parameter(self) -> None:
        """Section 4.8: a default "can refer to any parameter already defined". PLUS(x,
        y = x + 1) = x + y: PLUS(4) = 4 + (4 + 1) = 9; PLUS(TIME) = 2 t + 1 = 1, 3, 5, 7;
        PLUS(4, 0) = 4."""
        values = run(aux("a", "PLUS(4)") + aux("b", "PLUS(TIME)") + aux("c", "PLUS(4, 0)"),
                     self.PLUS)
        assert values["a"] == [9] * 4
        assert values["b"] == [1, 3, 5, 7]
        assert values["c"] == [4] * 4

    def test_required_parameter_after_a_default_is_refused(self) -> None:
        """Section 4.8: every parameter after the first with a default needs one too."""
        bad = ('<macro name="BAD"><parm default="1">a</parm><parm>b</parm>'
               "<eqn>a + b</eqn></macro>")
        with pytest.raises(ModelStructureError, match="'b' has no default, but 'a'"):
            read(aux("v", "1"), bad)


class TestMacroWithVariables:
    def test_each_call_keeps_its_own_stock(self) -> None:
        """ACCUMULATE(rate): total(0) = 0, total(t + 1) = total(t) + rate(t).
        ACCUMULATE(1): 0, 1, 2, 3. ACCUMULATE(TIME): 0, 0 + 0 = 0, 0 + 1 = 1, 1 + 2 = 3.
        Were the stock shared, both calls would fill one total (0, 1, 3, 6)."""
        values = run(aux("ones", "ACCUMULATE(1)") + aux("times", "ACCUMULATE(TIME)"),
                     ACCUMULATE)
        assert values["ones"] == [0, 1, 2, 3]
        assert values["times"] == [0, 0, 1, 3]

    def test_the_standards_smooth1_called_twice(self) -> None:
        """SMOOTH1 of section 4.8.2: S(0) = initial, S(t + 1) = S + (input - S) / time.
        s1 = SMOOTH1(10, 2, 0): 0; 0 + 10 / 2 = 5; 5 + 5 / 2 = 7.5; 7.5 + 2.5 / 2 = 8.75.
        s2 = SMOOTH1(20 * TIME, 4), initial defaulting to input = 20 * 0 = 0:
        0; 0 + (0 - 0) / 4 = 0; 0 + (20 - 0) / 4 = 5; 5 + (40 - 5) / 4 = 13.75."""
        values = run(aux("s1", "SMOOTH1(10, 2, 0)") + aux("s2", "SMOOTH1(20 * TIME, 4)"),
                     SMOOTH1)
        assert values["s1"] == [0, 5, 7.5, 8.75]
        assert values["s2"] == [0, 0, 5, 13.75]

    def test_no_parameters(self) -> None:
        """CLOCK() has no <parm>: a stock from 0 filled by 1 a step, 0, 1, 2, 3. Two calls
        in one equation are two call sites, two stocks: CLOCK() + CLOCK() = 0, 2, 4, 6."""
        clock = ('<macro name="CLOCK"><eqn>ticks</eqn><variables>'
                 '<stock name="ticks"><eqn>0</eqn><inflow>tick</inflow></stock>'
                 '<flow name="tick"><eqn>1</eqn></flow></variables></macro>')
        project = read(aux("v", "CLOCK() + CLOCK()"), clock)
        assert {"#clock.1.ticks", "#clock.2.ticks"} <= set(project.main.variable_map())
        assert run(aux("v", "CLOCK() + CLOCK()"), clock)["v"] == [0, 2, 4, 6]

    def test_half_step(self) -> None:
        """DT = 0.5, ACCUMULATE(2): total rises by 0.5 * 2 = 1 a step: 0, 1, 2, 3, 4 at
        t = 0, 0.5, 1, 1.5, 2 (saved every DT)."""
        values = run(aux("v", "ACCUMULATE(2)"), ACCUMULATE, stop=2, dt=0.5)
        assert values["v"] == [0, 1, 2, 3, 4]

    def test_hidden_copies_per_call_site(self) -> None:
        """Two call sites make #accumulate.1.* and #accumulate.2.*: each its stock, its
        flow and its parameter's auxiliary; the stock's inflow is renamed with it."""
        project = read(aux("a", "ACCUMULATE(1)") + aux("b", "ACCUMULATE(2)"), ACCUMULATE)
        names = {v.name for v in project.main.variables}
        for k in (1, 2):
            assert {f"#accumulate.{k}.total", f"#accumulate.{k}.adding",
                    f"#accumulate.{k}.rate"} <= names
            stock = project.main.variable_map()[f"#accumulate.{k}.total"]
            assert stock.kind is VariableKind.STOCK
            assert stock.inflows == (f"#accumulate.{k}.adding",)

    def test_arrayed_call_site(self) -> None:
        """Called in an equation over d = (d1, d2), the copies take dimension d: with
        rate[d] = (1, 2), total[d1] = 0, 1, 2, 3 and total[d2] = 0, 2, 4, 6."""
        dims = '<dim name="d"><elem name="d1"/><elem name="d2"/></dim>'
        rate = ('<aux name="rate"><dimensions><dim name="d"/></dimensions>'
                '<element subscript="d1"><eqn>1</eqn></element>'
                '<element subscript="d2"><eqn>2</eqn></element></aux>')
        values = run(rate + aux("v", "ACCUMULATE(rate)", dims="d"), ACCUMULATE,
                     dimensions=dims)
        assert values["v[d1]"] == [0, 1, 2, 3]
        assert values["v[d2]"] == [0, 2, 4, 6]


    def test_called_inside_a_module(self) -> None:
        """A macro is defined for the whole file: called in submodel "sub" (instance inner)
        and in the main model, each call has its own stock. inner.v = ACCUMULATE(1): 0, 1,
        2, 3; a = ACCUMULATE(2): 0, 2, 4, 6. The copies stay hidden from the results."""
        models = ('<model name="sub"><variables>' + aux("v", "ACCUMULATE(1)")
                  + "</variables></model>")
        text = document('<module name="inner" model_name="sub"/>' + aux("a", "ACCUMULATE(2)"),
                        ACCUMULATE).replace("</xmile>", models + "</xmile>")
        results = Model(read_xmile_text(text, "m.xmile")).run()
        assert list(results.columns) == ["a", "inner.v"]
        assert list(results["inner.v"]) == [0, 1, 2, 3]
        assert list(results["a"]) == [0, 2, 4, 6]


class TestNesting:
    QUAD = '<macro name="QUAD"><parm>x</parm><eqn>DOUBLE(DOUBLE(x))</eqn></macro>'

    def test_call_in_an_argument(self) -> None:
        """DOUBLE(DOUBLE(TIME)) = (t * 2) * 2 = 4 t: 0, 4, 8, 12."""
        assert run(aux("v", "DOUBLE(DOUBLE(TIME))"), DOUBLE)["v"] == [0, 4, 8, 12]

    def test_macro_calling_a_macro(self) -> None:
        """QUAD(x) = DOUBLE(DOUBLE(x)) = 4 x: QUAD(3) = 12; the order of the <macro>
        elements does not matter (QUAD is written before DOUBLE)."""
        assert run(aux("v", "QUAD(3)"), self.QUAD + DOUBLE)["v"] == [12] * 4

    def test_macro_with_variables_calling_an_expression_macro(self) -> None:
        """A stock macro whose flow is DOUBLE(rate): ACC2(1) fills 2 a step: 0, 2, 4, 6.
        Its argument is itself a macro call, ACC2(DOUBLE(1)), filling 4: 0, 4, 8, 12."""
        acc2 = ACCUMULATE.replace('"ACCUMULATE"', '"ACC2"').replace(
            "<eqn>rate</eqn>", "<eqn>DOUBLE(rate)</eqn>")
        values = run(aux("a", "ACC2(1)") + aux("b", "ACC2(DOUBLE(1))"), acc2 + DOUBLE)
        assert values["a"] == [0, 2, 4, 6]
        assert values["b"] == [0, 4, 8, 12]

    def test_stateful_macros_nested(self) -> None:
        """ACCUMULATE(ACCUMULATE(1)): the inner total is 0, 1, 2, 3; the outer adds it:
        0, 0 + 0 = 0, 0 + 1 = 1, 1 + 2 = 3 (two separate stocks)."""
        assert run(aux("v", "ACCUMULATE(ACCUMULATE(1))"), ACCUMULATE)["v"] == [0, 0, 1, 3]


class TestRefused:
    def test_direct_recursion(self) -> None:
        """The standard's recursive FACT (section 4.8.1) needs the optional
        recursive_macros feature; it is refused at the recursive call, naming the chain."""
        fact = ('<macro name="FACT"><parm>x</parm>'
                "<eqn>IF x > 1 THEN x * FACT(x - 1) ELSE 1</eqn></macro>")
        text = document(aux("v", "FACT(3)"), fact)
        with pytest.raises(UnsupportedFeatureError, match=r"FACT -> FACT") as caught:
            read_xmile_text(text, "m.xmile")
        assert str(caught.value).startswith(f"m.xmile:{position(text, 'FACT(x - 1)')}:")
        assert "recursive" in str(caught.value)

    def test_indirect_recursion(self) -> None:
        """PING calls PONG, which calls PING: refused with the whole chain."""
        macros = ('<macro name="PING"><parm>x</parm><eqn>PONG(x) + 1</eqn></macro>'
                  '<macro name="PONG"><parm>x</parm><eqn>PING(x) * 2</eqn></macro>')
        with pytest.raises(UnsupportedFeatureError, match="PING -> PONG -> PING"):
            read(aux("v", "PING(1)"), macros)

    def test_too_many_arguments_at_the_call(self) -> None:
        """DOUBLE takes one argument: DOUBLE(1, 2) is an arity error at its line:col."""
        text = document(aux("v", "DOUBLE(1, 2)"), DOUBLE)
        with pytest.raises(ArityError, match="takes 1 argument, got 2") as caught:
            read_xmile_text(text, "m.xmile")
        assert str(caught.value).startswith(f"m.xmile:{position(text, 'DOUBLE(1, 2)')}:")

    def test_too_few_arguments_at_the_call(self) -> None:
        """SMOOTH1 needs input and averaging_time (initial has a default): SMOOTH1(1)
        names the range, at the call's line:col."""
        text = document(aux("a", "1") + "\n" + aux("v", "a + SMOOTH1(1)"), SMOOTH1)
        with pytest.raises(ArityError, match="takes 2 to 3 arguments, got 1") as caught:
            read_xmile_text(text, "m.xmile")
        assert str(caught.value).startswith(f"m.xmile:{position(text, 'SMOOTH1(1)')}:")

    def test_name_outside_the_macro(self) -> None:
        """Names inside a macro are its own: a reference to the model's a is refused."""
        leaky = '<macro name="LEAKY"><parm>x</parm><eqn>x + a</eqn></macro>'
        with pytest.raises(ModelStructureError, match="uses 'a'"):
            read(aux("a", "1") + aux("v", "LEAKY(1)"), leaky)

    def test_missing_equation(self) -> None:
        """<eqn> is required (section 4.8); the error is at the <macro> element."""
        text = document(aux("v", "1"), '<macro name="NOTHING"><parm>x</parm></macro>')
        with pytest.raises(ModelStructureError, match="macro 'NOTHING' has no <eqn>") as caught:
            read_xmile_text(text, "m.xmile")
        assert str(caught.value).startswith(f"m.xmile:{position(text, '<macro name')}:")

    def test_parameter_without_a_name(self) -> None:
        text = document(aux("v", "1"), '<macro name="M"><parm> </parm><eqn>1</eqn></macro>')
        with pytest.raises(ModelStructureError, match="<parm> of macro 'M' has no name"):
            read_xmile_text(text, "m.xmile")

    def test_submodel_in_a_macro(self) -> None:
        """"Macros MAY include submodels": not supported, refused at the <module>."""
        body = ('<macro name="M"><eqn>x</eqn><variables><aux name="x"><eqn>1</eqn></aux>'
                '<module name="inner" model_name="sub"/></variables></macro>')
        with pytest.raises(UnsupportedFeatureError, match=r"submodel \(<module>\)"):
            read(aux("v", "M()"), body)

    def test_own_sim_specs(self) -> None:
        """A macro with its own <sim_specs> runs to completion at each call (section
        4.8.3); not supported, and said so at the <sim_specs>."""
        fact = ('<macro name="FACT"><parm>x</parm><eqn>Fact</eqn>\n'
                "<sim_specs><start>1</start><stop>x</stop></sim_specs>"
                '<variables><stock name="Fact"><eqn>1</eqn></stock></variables></macro>')
        text = document(aux("v", "FACT(3)"), fact)
        with pytest.raises(UnsupportedFeatureError, match="own <sim_specs>") as caught:
            read_xmile_text(text, "m.xmile")
        assert str(caught.value).startswith(f"m.xmile:{position(text, '<sim_specs><start>1')}:")

    def test_defined_twice(self) -> None:
        with pytest.raises(ModelStructureError, match="defined twice"):
            read(aux("v", "1"), DOUBLE + DOUBLE)

    def test_malformed_equation_at_its_position(self) -> None:
        """A syntax error in a macro's <eqn> names the macro file's line."""
        text = document(aux("v", "1"), '<macro name="BAD">\n<eqn>1 +* 2</eqn></macro>')
        with pytest.raises(Exception, match=r"m\.xmile:\d+:\d+"):
            read_xmile_text(text, "m.xmile")


class TestNames:
    def test_name_that_shadows_nothing(self) -> None:
        """A macro named "Net Gain" (no builtin of that name) is called as net_gain(...):
        names match case-insensitively with _ = space. net_gain(10, 4) = 10 - 4 = 6."""
        assert lookup_builtin("NET GAIN") is None
        gain = ('<macro name="Net Gain"><parm>in</parm><parm>out</parm>'
                "<eqn>in - out</eqn></macro>")
        assert run(aux("v", "net_gain(10, 4)"), gain)["v"] == [6] * 4

    def test_macro_named_like_a_builtin_wins(self) -> None:
        """Macros "can also be used to translate built-in functions across vendor
        packages" (section 4.8): a file's MAX(a, b) macro defined as a + b gives
        MAX(1, 2) = 3, not the builtin's 2."""
        assert lookup_builtin("MAX") is not None
        plus = '<macro name="MAX"><parm>a</parm><parm>b</parm><eqn>a + b</eqn></macro>'
        assert run(aux("v", "MAX(1, 2)"), plus)["v"] == [3] * 4

    def test_no_macros_leaves_calls_alone(self) -> None:
        """A file without macros reads as before: MAX is the builtin, MAX(1, 2) = 2."""
        assert run(aux("v", "MAX(1, 2)"), "")["v"] == [2] * 4
