"""Checkers for notebook 10's exercises: sequence classification."""

from __future__ import annotations

__all__: list = []

#: exercise name -> ("10", number), so that a stub's verdict can point to show_solution("10", number).
EXERCISES: dict = {}
