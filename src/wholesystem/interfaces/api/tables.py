"""Results and ledgers as downloadable tables (CSV): formatting only, no modelling.

Numbers are written with Python's shortest round-trip representation, so a value read
back from the CSV is the very float the run produced.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

import pandas as pd
from fastapi.responses import Response

from wholesystem.system.ledger import Ledger

__all__ = ["LedgerTable", "LEDGER_TABLES", "ledger_frame", "csv_response", "download_name"]

LedgerTable = Literal["organisations", "services", "interventions", "periods"]
LEDGER_TABLES: tuple[LedgerTable, ...] = ("organisations", "services", "interventions",
                                          "periods")
"""The ledger's tables, as the ``table`` query parameter names them."""


def ledger_frame(ledger: Ledger, table: LedgerTable = "organisations") -> pd.DataFrame:
    """One of the ledger's tables: a row per organisation (and the whole system), per
    service, per intervention, or per reporting period (a column per organisation)."""
    if table == "organisations":
        rows = [asdict(o) for o in ledger.organisations]
        rows.append({"id": "whole_system", "name": "Whole system",
                     "cost": ledger.whole_system})
        return pd.DataFrame(rows)
    if table == "services":
        return pd.DataFrame([asdict(s) for s in ledger.services])
    if table == "interventions":
        return pd.DataFrame([asdict(i) for i in ledger.interventions],
                            columns=["id", "name", "payer", "cost"])
    return pd.DataFrame([{"label": p.label, "start": p.start, "end": p.end, **p.costs,
                          "whole_system": p.whole_system} for p in ledger.periods])


def download_name(*parts: str) -> str:
    """A file name for a download, from words that may hold anything (names from files)."""
    text = "-".join(p for p in parts if p)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
    return safe.strip("._")[:150] or "download"


def csv_response(frame: pd.DataFrame, filename: str, *, index: bool = False) -> Response:
    """``frame`` as a CSV attachment named ``filename``."""
    text = frame.to_csv(index=index, lineterminator="\n")
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
