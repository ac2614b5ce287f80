"""lstm_lessons: the helper package of the LSTM Lessons notebook series.

Modules, lowest first (each imports only those above it in this list):
- cells:    NumPy reference RNN, LSTM and GRU, forward and backward, and gradient checking
- tasks:    data made in code (adding problem, delayed recall, echo)
- rnn_train: a NumPy RNN regressor, truncated BPTT and Adam (introduced in 01)
- gradients: Jacobian products and gradient norm per lag, clipping, linear read-outs (introduced in 02)
- modules:  the same cells from scratch in PyTorch, loadable to and from torch.nn
- project:  the project's home address, and the badges and Colab install derived from it
- plots:    the palette and matplotlib helpers
- notebook: the set-up call every notebook's first code cell makes
- checks:   exercise checkers that answer in plain words
- widgets:  ipywidgets built on plots and cells (nothing in the package imports it)

Importing the package does nothing but define names; torch is imported by `modules`, and by
`notebook.setup` when asked to seed it.
"""

from ._validate import LessonError

__version__ = "0.1.0"
__all__ = ["LessonError", "__version__"]
