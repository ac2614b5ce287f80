"""Checkers for notebook 07's exercises: from scratch to PyTorch."""

from __future__ import annotations

__all__: list = []

#: exercise name -> ("07", number), so that a stub's verdict can point to show_solution("07", number).
EXERCISES: dict = {}
