"""wholesystem.ir.names: matching and displaying variable names."""

from __future__ import annotations

import unicodedata

import pytest

from wholesystem.ir.names import canonical_name, display_name, python_identifier, qualify


class TestCanonicalName:
    @pytest.mark.parametrize("spelling", [
        "Room Temperature",
        "room_temperature",
        "ROOM   TEMPERATURE",
        "  room temperature  ",
        '"Room Temperature"',
        "Room\\nTemperature",
        "room_\\n_temperature",
        "Room\tTemperature",
    ])
    def test_spellings_of_one_name_agree(self, spelling: str) -> None:
        assert canonical_name(spelling) == "room temperature"

    def test_different_names_differ(self) -> None:
        assert canonical_name("birth rate") != canonical_name("birth rates")

    def test_unicode_composed_and_decomposed_agree(self) -> None:
        composed = unicodedata.normalize("NFC", "Café")
        decomposed = unicodedata.normalize("NFD", "Café")
        assert composed != decomposed
        assert canonical_name(composed) == canonical_name(decomposed) == "café"

    def test_case_folding_beyond_ascii(self) -> None:
        assert canonical_name("STRASSE") == canonical_name("Straße")

    def test_quoted_name_keeps_punctuation(self) -> None:
        assert canonical_name('"Cost (£/day)"') == "cost (£/day)"
        assert canonical_name('"say \\"hi\\""') == 'say "hi"'

    def test_is_idempotent(self) -> None:
        name = canonical_name('"Heat Loss_to  Room"')
        assert canonical_name(name) == name


class TestDisplayName:
    def test_drops_quotes_and_escaped_breaks(self) -> None:
        assert display_name('"Room Temperature"') == "Room Temperature"
        assert display_name("size_of_one\\ntime_lynx_harvest") == (
            "size_of_one time_lynx_harvest")

    def test_keeps_case_and_underscores(self) -> None:
        assert display_name("Birth_Rate") == "Birth_Rate"

    def test_collapses_whitespace(self) -> None:
        assert display_name("  a \n  b  ") == "a b"

    def test_lone_quote_is_kept(self) -> None:
        assert display_name('"') == '"'


def test_qualify() -> None:
    assert qualify("hares", "births") == "hares.births"
    assert qualify("", "births") == "births"
    assert qualify(qualify("world", "hares"), "births") == "world.hares.births"


class TestPythonIdentifier:
    @pytest.mark.parametrize(("name", "expected"), [
        ("room temperature", "room_temperature"),
        ("hares.births", "hares_births"),
        ("cost (£/day)", "cost___day"),
        ("café", "cafe"),
        ("2nd stage", "_2nd_stage"),
        ("£", "v"),
        ("", "v"),
    ])
    def test_readable(self, name: str, expected: str) -> None:
        assert python_identifier(name) == expected

    @pytest.mark.parametrize("name", ["a b", "1", "é", "x.y z", "(", "for"])
    def test_is_an_identifier(self, name: str) -> None:
        assert python_identifier(name).isidentifier()
