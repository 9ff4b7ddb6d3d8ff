"""wholesystem.compiler.order: which auxiliaries are constants."""

from __future__ import annotations

import pytest
from xmile_factory import aux, stock, xmile

import wholesystem.compiler.order as order
from wholesystem.ir.model import Variable
from wholesystem.parse import read_xmile_text


def _variables(body: str) -> dict[str, Variable]:
    project = read_xmile_text(xmile(body), "order.xmile")
    return {v.name: v for v in project.main.variables}


def test_constants_follow_chains_and_stop_at_stocks_time_and_loops() -> None:
    variables = _variables(
        aux("a", "b + 1") + aux("b", "c * 2") + aux("c", "3")
        + stock("s", "1") + aux("from_stock", "s + c") + aux("from_time", "TIME")
        + aux("after_time", "from_time + a") + aux("p", "q") + aux("q", "p + 1")
        + aux("own", "own + c"))
    assert order.find_constants(variables, ()) == {"a", "b", "c", "own"}


def test_initial_only_and_varying_names_are_not_constants() -> None:
    variables = _variables(aux("a", "b") + aux("b", "1") + aux("c", "1"))
    assert order.find_constants(variables, ("b",)) == {"c"}
    assert order.find_constants(variables, (), varying=("c",)) == {"a", "b"}


def test_a_long_chain_reads_each_equation_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chain written against sorted order (a0 reads a1 reads a2 ...) once took a pass
    over every name per link: 2,000 links, 4 million reads, 20 s."""
    links = 300
    variables = _variables("".join(aux(f"a{i}", f"a{i + 1}") for i in range(links))
                           + aux(f"a{links}", "1"))
    calls = 0
    names_read = order.names_read

    def counting(*args: object, **kwargs: object) -> set[str]:
        nonlocal calls
        calls += 1
        return names_read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(order, "names_read", counting)
    assert len(order.find_constants(variables, ())) == links + 1
    assert calls == links + 1
