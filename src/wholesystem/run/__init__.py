"""Compiled model x scenarios -> results: integrators, runtime and result tables."""

from wholesystem.run.model import Model, load
from wholesystem.run.results import EnsembleResults, Results
from wholesystem.run.simulate import simulate

__all__ = ["Model", "load", "Results", "EnsembleResults", "simulate"]
