"""lstm_lessons: the helper package of the LSTM Lessons notebook series.

Modules, lowest first (each imports only those above it in this list):
- cells:     NumPy reference RNN, LSTM and GRU, forward and backward, and gradient checking
- tasks:     data made in code (adding problem, delayed recall, echo)
- rnn_train: a NumPy RNN regressor, truncated BPTT and Adam (introduced in 01)
- plots:     the palette and matplotlib helpers
- notebook:  the set-up call every notebook's first code cell makes
- project:   the project's home address, and the badges and Colab install derived from it
- recall:    the delayed-recall experiments of notebook 02 (a small nn.RNN and what it learned)
- gradients: Jacobian products and gradient norm per lag, clipping, linear read-outs (introduced in 02)
- memory:    the constant error carousel, a plain additive memory and a gated prototype (03)
- cell_drawing: one drawing of a recurrent cell with one step's values on it (03-06)
- handset:   hand-set LSTM weights that store, hold and recall a value (04)
- diagrams:  how a recurrent layer stacks its gate weights (04, 07)
- cell_gradients: the gradient along the LSTM's cell state (05)
- counters:  a hand-set LSTM that counts bracket depth (05)
- modules:   the same cells from scratch in PyTorch, loadable to and from torch.nn
- variants:  the steps from the LSTM to the GRU, and the wider family (06)
- fast_lstm: a fast LSTM layer with a hand-written backward, the gate-by-gate loop, timing (07)
- train:     the training loop of notebooks 08-10: progress bar, history, clipping, evaluation, interrupt and resume
- long_tasks: the long-lag experiments of notebook 08
- number_words, language_model: notebook 09's corpus and word-level language model
- classify:  sequence classification with padding, packing and masking (10)
- checks, solutions: exercise checkers that answer in plain words, and the answers revealed on request
- practice:  the checker of the practice copies (notebooks/practice/)
- widgets:   ipywidgets built on plots and cells (nothing in the package imports it)

Importing the package does nothing but define names; torch is imported by `modules`, and by
`notebook.setup` when asked to seed it.
"""

from ._validate import LessonError

__version__ = "0.1.0"
__all__ = ["LessonError", "__version__"]
