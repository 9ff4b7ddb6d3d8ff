"""IR + results -> insight: the public-service analyses.

- :mod:`~wholesystem.analysis.systems`: a system file with its scenarios, compiled and run;
- :mod:`~wholesystem.analysis.ledger`: cost and activity per organisation, service, period;
- :mod:`~wholesystem.analysis.shunts`: scenario comparison and cost-shunt detection;
- :mod:`~wholesystem.analysis.conservation`: everyone who arrives is somewhere;
- :mod:`~wholesystem.analysis.journeys` and :mod:`~wholesystem.analysis.journey_report`:
  residents simulated one by one, and what that says per service, organisation and person.
"""

from wholesystem.analysis.conservation import check_conservation
from wholesystem.analysis.journey_report import journeys
from wholesystem.analysis.ledger import build_ledger
from wholesystem.analysis.shunts import compare
from wholesystem.analysis.systems import SystemModel, load_system

__all__ = ["SystemModel", "load_system", "build_ledger", "compare", "check_conservation",
           "journeys"]
