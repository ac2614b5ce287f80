"""Checkers for notebook 08's exercises: training on long-range problems."""

from __future__ import annotations

__all__: list = []

#: exercise name -> ("08", number), so that a stub's verdict can point to show_solution("08", number).
EXERCISES: dict = {}
