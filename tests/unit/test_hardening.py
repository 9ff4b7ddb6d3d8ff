"""Hostile documents: XML external entities and entity bombs, YAML alias bombs and Python
tags, and sizes past the resource limits. Every one is refused with a clear error naming
the file and line, before the parser expands or allocates anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from system_factory import MINIMAL
from xmile_factory import xmile

from wholesystem.datafiles import FileAccess
from wholesystem.errors import (
    ModelSyntaxError,
    ResourceLimitError,
    SystemFileError,
    WholesystemError,
)
from wholesystem.limits import Limits
from wholesystem.parse import read_vensim_text, read_xmile_text
from wholesystem.parse.xmile.reader import _PARSER_OPTIONS
from wholesystem.system.read.reader import read_system_text

SECRET = "CANARY-SECRET-7f3a"
BODY = xmile('<aux name="a"><eqn>1</eqn><doc>&x;</doc></aux>').split("\n", 1)[1]


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "canary.txt"
    path.write_text(SECRET)
    return path


def _refused(text: str) -> ModelSyntaxError:
    with pytest.raises(ModelSyntaxError) as caught:
        read_xmile_text(text, "evil.xmile")
    assert SECRET not in str(caught.value)
    return caught.value


def test_external_entity_to_a_local_file_is_refused(canary: Path) -> None:
    """XXE: an entity whose value is a local file; the DOCTYPE (line 2) is refused."""
    text = (f'<?xml version="1.0"?>\n<!DOCTYPE xmile [<!ENTITY x SYSTEM "{canary.as_uri()}">]>'
            f"\n{BODY}")
    err = _refused(text)
    assert str(err).startswith("evil.xmile:2:1: error: refused: the file declares a DTD")


def test_external_dtd_and_parameter_entities_are_refused(canary: Path) -> None:
    external = f'<!DOCTYPE xmile SYSTEM "{canary.as_uri()}">\n{BODY}'
    parameter = (f'<!DOCTYPE xmile [<!ENTITY % p SYSTEM "{canary.as_uri()}"> %p;]>\n'
                 f"{BODY}")
    for text in (external, parameter):
        assert "declares a DTD" in str(_refused(text))


def test_plain_doctype_is_read() -> None:
    """``<!DOCTYPE xmile>`` declares nothing and fetches nothing: it is allowed."""
    declaration, rest = xmile('<aux name="a"><eqn>1</eqn></aux>').split("\n", 1)
    text = f"{declaration}\n<!DOCTYPE xmile>\n{rest}"
    assert read_xmile_text(text, "ok.xmile").main.variables[0].name == "a"


def test_billion_laughs_is_refused() -> None:
    """Ten levels of ten references each: 10**9 'lol's if expanded."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    text = f"<!DOCTYPE xmile [\n{chr(10).join(levels)}\n]>\n" + BODY.replace("&x;", "&lol9;")
    assert "declares a DTD" in str(_refused(text))


def test_quadratic_blowup_is_refused() -> None:
    """One 50,000-character entity used 50,000 times: 2.5e9 characters if expanded."""
    entity = "A" * 50_000
    text = (f'<!DOCTYPE xmile [<!ENTITY a "{entity}">]>\n'
            + BODY.replace("&x;", "&a;" * 50_000))
    assert "declares a DTD" in str(_refused(text))


def test_the_parser_itself_never_resolves_or_fetches(canary: Path) -> None:
    """Defence in depth: were the DTD check bypassed, libxml2 with our options still
    neither reads the external entity nor loads an external DTD."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    data = (f'<!DOCTYPE r [<!ENTITY x SYSTEM "{canary.as_uri()}">]><r>&x;</r>').encode()
    root = etree.fromstring(data, parser)
    assert SECRET not in etree.tostring(root, encoding="unicode")
    data = f'<!DOCTYPE r SYSTEM "{canary.as_uri()}"><r/>'.encode()
    assert etree.fromstring(data, parser).tag == "r"


def test_deep_nesting_is_a_syntax_error_with_position() -> None:
    """libxml2's own depth bound (256) stays on: huge_tree is off."""
    deep = "<doc>" * 5000 + "</doc>" * 5000
    text = xmile('<aux name="a"><eqn>1</eqn></aux>').replace("<model>", f"{deep}<model>")
    with pytest.raises(ModelSyntaxError, match=r"^m\.xmile:\d+:\d+: error: malformed XML"):
        read_xmile_text(text, "m.xmile")


def test_document_size_limit() -> None:
    access = FileAccess.for_cli("m.xmile", limits=Limits(max_document_bytes=100))
    with pytest.raises(ResourceLimitError, match="max_document_bytes") as caught:
        read_xmile_text(xmile('<aux name="a"><eqn>1</eqn></aux>'), "m.xmile", access)
    assert "--limit max_document_bytes=N" in str(caught.value)
    with pytest.raises(ResourceLimitError, match="max_document_bytes"):
        read_vensim_text("a = 1 ~~|\n" * 20, "m.mdl", access)
    with pytest.raises(ResourceLimitError, match="max_document_bytes"):
        read_system_text(MINIMAL, "s.yaml", access)


def test_huge_xmile_dimension_is_refused_before_allocation() -> None:
    """A billion elements would take ~60 GB as strings; refused at the <dim> line."""
    text = xmile('<aux name="a"><eqn>1</eqn></aux>',
                 dimensions='<dim name="big" size="1000000000"/>')
    with pytest.raises(ResourceLimitError) as caught:
        read_xmile_text(text, "m.xmile")
    assert str(caught.value).startswith(
        "m.xmile:7:1: error: dimension 'big' has 1,000,000,000 elements, over the limit of "
        "1,000,000 (max_elements_per_dimension)")
    digits = text.replace("1000000000", "9" * 5000)
    with pytest.raises(ResourceLimitError):
        read_xmile_text(digits, "m.xmile")


def test_huge_vensim_subscript_range_is_refused() -> None:
    text = "big: (a1-a999999999) ~~|\nx[big] = 1 ~~|\nINITIAL TIME = 0 ~~|\n"
    with pytest.raises(ResourceLimitError, match=r"^m\.mdl:1:7: .*max_elements_per_dimension"):
        read_vensim_text(text, "m.mdl")
    small = Limits(max_elements_per_dimension=5)
    text = "small: (a1-a4), b, c ~~|\nx[small] = 1 ~~|\n"
    with pytest.raises(ResourceLimitError, match="subscript range 'small' has 6 elements"):
        read_vensim_text(text, "m.mdl", FileAccess.for_cli("m.mdl", limits=small))


YAML_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_yaml_alias_bomb_is_refused() -> None:
    """9**9 (387 million) values once aliases are expanded, from 9 lines."""
    with pytest.raises(ResourceLimitError, match="max_yaml_nodes") as caught:
        read_system_text(YAML_BOMB, "bomb.yaml")
    assert str(caught.value).startswith("bomb.yaml:")


def test_yaml_nesting_and_recursive_alias() -> None:
    deep = "x: " + "[" * 100 + "]" * 100 + "\n"
    with pytest.raises(ResourceLimitError, match="max_nesting_depth"):
        read_system_text(deep, "deep.yaml")
    with pytest.raises(WholesystemError):
        read_system_text("a: &a [*a]\n", "loop.yaml")


def test_yaml_python_tags_never_run(tmp_path: Path) -> None:
    """The safe loader builds plain data only: a Python tag is an error, nothing runs."""
    canary = tmp_path / "ran"
    text = f'name: !!python/object/apply:os.system ["touch {canary}"]\n' + MINIMAL.split(
        "\n", 1)[1]
    with pytest.raises(SystemFileError, match=r"^evil\.yaml:1:7: error: not valid YAML"):
        read_system_text(text, "evil.yaml")
    assert not canary.exists()


def test_bounded_yaml_with_anchors_still_reads() -> None:
    """A few aliases, as people write them to share settings, are fine."""
    text = MINIMAL.replace("costs: {per_occupied_day: 400}",
                           "costs: &ward_costs {per_occupied_day: 400}")
    assert read_system_text(text, "s.yaml").name == "Minimal"


TEACUP_MDL = """\
Teacup Temperature = INTEG(-Heat Loss, 180) ~ degrees ~ |
Heat Loss = (Teacup Temperature - 70) / 10 ~ degrees/minute ~ |
INITIAL TIME = 0 ~ minute ~ |
FINAL TIME = 30 ~ minute ~ |
TIME STEP = 0.125 ~ minute ~ |
SAVEPER = TIME STEP ~ minute ~ |
"""


def test_nul_bytes_are_located_errors() -> None:
    """A NUL is no character of XML, YAML or a Vensim equation: each reader names the line
    and column where it stands, and the excerpt shows it as U+FFFD, not raw."""
    with pytest.raises(ModelSyntaxError) as caught:
        read_xmile_text(xmile("<aux name='a'><eqn>1\x002</eqn></aux>"), "m.xmile")
    assert str(caught.value).startswith("m.xmile:")
    assert "\x00" not in str(caught.value)
    text = TEACUP_MDL.replace("(Teacup", "(Tea\x00cup")
    with pytest.raises(ModelSyntaxError) as caught:
        read_vensim_text(text, "m.mdl")
    assert str(caught.value).startswith("m.mdl:2:17: error: cannot read definition: "
                                        "unexpected character U+0000")
    assert "(Tea\ufffdcup" in str(caught.value)
    assert "\x00" not in str(caught.value)
    with pytest.raises(SystemFileError, match=r"^s\.yaml:1:10: .*U\+0000"):
        read_system_text(MINIMAL.replace("Minimal", "Min\x00imal"), "s.yaml")
