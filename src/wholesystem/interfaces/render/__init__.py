"""Presentation shared by the CLI, the API and the web pages.

Analyses and the public-service layer return data; this package turns that data into the
words and figures people read: money, verdict sentences, boundary findings and journey
timelines. Keeping them here means the command line and the workbench say the same thing.
"""

from wholesystem.interfaces.render.comparisons import (
    comparison_dict,
    shunt_sentence,
    verdict_sentence,
)
from wholesystem.interfaces.render.numbers import money, number, signed, signed_money
from wholesystem.interfaces.render.present_values import (
    comparison_present_value_rows,
    discount_words,
    ledger_present_values,
    present_value_note,
)

__all__ = ["money", "signed_money", "number", "signed", "shunt_sentence",
           "verdict_sentence", "comparison_dict", "discount_words", "present_value_note",
           "ledger_present_values", "comparison_present_value_rows"]
