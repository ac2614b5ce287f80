"""Checkers for notebook 03's exercises: designing a memory cell."""

from __future__ import annotations

__all__: list = []

#: exercise name -> ("03", number), so that a stub's verdict can point to show_solution("03", number).
EXERCISES: dict = {}
