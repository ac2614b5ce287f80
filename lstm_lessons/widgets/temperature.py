"""Notebook 09's temperature widget: slide the sampling temperature of a trained language model.

What this is: `TemperatureWidget`, a FigureWidget over a trained `language_model.WordLM`. The model
reads a stretch of text (the held-out part, say); after each of many names in it (prompts) it writes
the next name itself, one word at a time, sampled from softmax(logits / T), until it writes the
separator. On the left, the next-word distribution at one prompt at this
temperature; on the right, the share of sampled names that are valid number names, and the share
that are the right next number, against T, with the current T marked; below, a few prompts and what
was sampled after them. The random numbers are drawn once and shared by every temperature (common
random numbers), so a move of the slider changes a sample only where the temperature changes it,
and the samples at every slider position are computed once, when the widget is made.
What this is not: a text generator for anything but notebook 09's number names.
"""

from __future__ import annotations

import numpy as np
import torch

from .. import language_model as lm, number_words as nw
from .._validate import LessonError, check_positive_int
from ..plots import COLORS, FastText
from .controls import slider
from .engine import FigureWidget

#: The slider: temperatures from LOW to HIGH in steps of STEP.
LOW, HIGH, STEP = 0.1, 3.0, 0.05
#: How many words of the next-word distribution the bars show (the rest are summed into "other").
SHOWN_WORDS = 7
#: How many prompts and their samples are written under the plots.
SHOWN_SAMPLES = 4
#: A sampled name longer than this many words (no separator yet) is cut off and counted as invalid.
MAX_WORDS = 8


def temperatures() -> np.ndarray:
    """Every position of the slider."""
    return np.round(np.arange(LOW, HIGH + STEP / 2, STEP), 2)


def entropy_bits(p) -> float:
    """H(p) = -sum p log2 p, in bits (0 log 0 = 0)."""
    p = np.asarray(p, dtype=float)
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum())


class TemperatureWidget(FigureWidget):
    """Slide the temperature T: the next-word distribution flattens, and the sampled names stop being names."""

    title = "Sampling temperature: softmax(logits / T), one name sampled after each of many prompts"

    def __init__(self, model: lm.WordLM, ids, count: int = 200, skip: int = 100, temperature: float = 1.0,
                 context: int = 0, seed: int = 0):
        if not isinstance(model, lm.WordLM):
            raise LessonError(f"model should be a language_model.WordLM; got {type(model).__name__}.")
        count = check_positive_int(count, "count", minimum=SHOWN_SAMPLES)
        self.model = model
        self.prompts = lm.name_prompts(model, ids, count, skip)
        self.context = check_positive_int(context, "context", minimum=0)
        if self.context >= count:
            raise LessonError(f"context should be the index of one of the {count} prompts; got {context}.")
        g = torch.Generator().manual_seed(seed)
        self.uniforms = torch.rand(MAX_WORDS + 1, count, generator=g)  # (steps, N): shared by every temperature
        logits = self.prompts.logits[self.context].double()  # (V,)
        self.context_logits = logits
        order = torch.argsort(logits, descending=True)
        self.shown_words = [int(k) for k in order[:SHOWN_WORDS]]
        self._cache: dict = {}
        self.grid = temperatures()
        curves = [self.samples(T) for T in self.grid]  # every slider position, computed once
        self.valid_curve = np.array([s.valid_share for s in curves])
        self.correct_curve = np.array([s.correct_share for s in curves])
        super().__init__({"temperature": slider("temperature T", temperature, LOW, HIGH, STEP)}, width=8.5,
                         height=5.0)

    @classmethod
    def example(cls):
        """An untrained model over the held-out stream: as fast to redraw as a trained one."""
        torch.manual_seed(0)
        model = lm.build_model(lm.MODELS["lstm_reg"])
        ids = nw.split_stream(nw.encode(nw.corpus()), lm.VALID_FRACTION).valid
        return cls(model, ids)

    def samples(self, temperature: float) -> lm.Samples:
        """One name sampled after every prompt at this temperature (computed once per temperature)."""
        key = round(float(temperature), 4)
        if key not in self._cache:
            p = self.prompts
            self._cache[key] = lm.sample_names(self.model, p.state, p.logits, key, self.uniforms, p.expected)
        return self._cache[key]

    def compute(self, temperature):
        s = self.samples(temperature)
        p = lm.softmax_t(self.context_logits, temperature).numpy()  # (V,)
        shown = p[self.shown_words]
        lines = []
        for n in range(SHOWN_SAMPLES):
            prompt_name = nw.names_in(self.prompts.text[n])[-1]
            lines.append((" ".join(prompt_name), " ".join(s.names[n]) or "(nothing)", bool(s.valid[n]),
                          bool(s.correct[n])))
        return {"temperature": float(temperature), "probs": np.append(shown, 1.0 - shown.sum()),
                "entropy": entropy_bits(p), "valid": s.valid_share, "correct": s.correct_share,
                "count": len(s.names), "lines": lines}

    # --- drawing
    def build(self, fig):
        # axes placed by hand (the engine then lays nothing out): the texts that change keep their room
        ax_p = fig.add_axes((0.075, 0.41, 0.36, 0.50))
        ax_s = fig.add_axes((0.56, 0.41, 0.42, 0.50))
        ax_t = fig.add_axes((0.0, 0.015, 1.0, 0.225))
        labels = [nw.VOCAB[k] for k in self.shown_words] + ["other"]
        self.bars = ax_p.bar(range(len(labels)), np.zeros(len(labels)), color=COLORS["h"], animated=True)
        self.bars[-1].set_color(COLORS["baseline"])
        ax_p.set_xticks(range(len(labels)), labels, rotation=40, ha="right", rotation_mode="anchor", fontsize=11)
        context = nw.names_in(self.prompts.text[self.context])[-1]
        ax_p.set(ylim=(0, 1.02), ylabel="probability")
        ax_p.set_title(f"Next word after \u201c... {' '.join(context[-3:])} .\u201d", fontsize=13)
        self.entropy_text = FastText(0.97, 0.95, "", size=12, ha="right", va="top", transform=ax_p.transAxes,
                                     animated=True)
        ax_p.add_artist(self.entropy_text)

        ax_s.plot(self.grid, self.valid_curve, color=COLORS["h"], label="valid name")
        ax_s.plot(self.grid, self.correct_curve, color=COLORS["lstm"], ls="--", label="right next number")
        (self.valid_dot,) = ax_s.plot([np.nan], [np.nan], "o", color=COLORS["h"], ms=9, animated=True)
        (self.correct_dot,) = ax_s.plot([np.nan], [np.nan], "o", color=COLORS["lstm"], ms=9, animated=True)
        self.t_line = ax_s.axvline(1.0, color="black", lw=1, animated=True)
        ax_s.set(xlim=(0, HIGH + 0.05), ylim=(0, 1.03), xlabel="temperature T", ylabel="share of sampled names")
        ax_s.set_title(f"{len(self.prompts.expected)} names sampled at every T", fontsize=13)
        ax_s.legend(loc="upper right", fontsize=10.5, borderaxespad=0.2)

        ax_t.axis("off")
        ax_t.set(xlim=(0, 1), ylim=(0, 1))
        ax_t.text(0.005, 0.99, "a few prompts and what was sampled: \u2713 the right next number, "
                  "\u25cb another valid name, \u2717 not a name", fontsize=11, va="top", color=COLORS["baseline"])
        self.lines = []
        for n in range(SHOWN_SAMPLES):
            y = 0.70 - n * 0.19
            prompt = FastText(0.30, y, "", size=11.5, ha="right", va="center", transform=ax_t.transAxes,
                              color=COLORS["baseline"], animated=True)
            sample = FastText(0.315, y, "", size=11.5, ha="left", va="center", transform=ax_t.transAxes,
                              animated=True)
            ax_t.add_artist(prompt)
            ax_t.add_artist(sample)
            self.lines.append((prompt, sample))

    def update(self, state):
        for bar, p in zip(self.bars, state["probs"]):
            bar.set_height(p)
        self.entropy_text.set_text(f"entropy {state['entropy']:.2f} bits")
        T = state["temperature"]
        self.valid_dot.set_data([T], [state["valid"]])
        self.correct_dot.set_data([T], [state["correct"]])
        self.t_line.set_xdata([T, T])
        for (prompt, sample), (before, after, valid, correct) in zip(self.lines, state["lines"]):
            prompt.set_text(f"... {' '.join(before.split()[-3:])} .  \u2192")
            mark = "\u2713" if correct else ("\u25cb" if valid else "\u2717")
            sample.set_text(f"{after} .   {mark}")
            sample.set_color(COLORS["lstm"] if correct else (COLORS["h"] if valid else "black"))

    def describe(self, state):
        return (f"T = {state['temperature']:.2f}: <b>{100 * state['valid']:.0f}%</b> of {state['count']} sampled "
                f"names are valid, {100 * state['correct']:.0f}% the right next number; the next word after the "
                f"first prompt has entropy {state['entropy']:.2f} bits")
