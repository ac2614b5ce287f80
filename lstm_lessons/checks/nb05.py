"""Checkers for notebook 05's exercises: why the LSTM works."""

from __future__ import annotations

__all__: list = []

#: exercise name -> ("05", number), so that a stub's verdict can point to show_solution("05", number).
EXERCISES: dict = {}
