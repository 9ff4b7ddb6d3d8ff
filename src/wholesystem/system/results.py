"""What a simulated scenario keeps for the analyses: its spec, layout and results."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wholesystem.system.layout import SystemLayout
from wholesystem.system.spec import SystemSpec

__all__ = ["ScenarioRun"]


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario of a system, simulated by the aggregate (stock-and-flow) model."""

    spec: SystemSpec
    """The spec with the scenario applied."""
    layout: SystemLayout
    """Where its people and costs are."""
    results: pd.DataFrame
    """One row per saved time, one column per variable (canonical names)."""

    def column(self, name: str) -> pd.Series:
        """A variable's values over time, by canonical name."""
        return self.results[name]
