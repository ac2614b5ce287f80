"""Checkers for notebook 09's exercises: an LSTM language model."""

from __future__ import annotations

__all__: list = []

#: exercise name -> ("09", number), so that a stub's verdict can point to show_solution("09", number).
EXERCISES: dict = {}
