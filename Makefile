# The two commands of the README, and the third that refreshes the notebooks' outputs.
#   make lab      set up .venv and open the series in JupyterLab
#   make test     set up .venv and run every test (unit tests, every notebook under nbval and the
#                 notebooks without widgets with shifted seeds; then the widgets in a browser; then,
#                 under Colab's ipywidgets 7.7, the widget tests and the widget notebooks with shifted seeds)
#   make execute  re-execute every notebook in place, in order, from a fresh kernel
#   make slides   lecture decks of every notebook that work offline: slides/index.html (not committed)
#   make practice the practice copies, notebooks/practice/, and their recorded cases (committed)
#   make front-page  the README's list of notebooks and docs/thumbnails/ (committed)
#   make navigation  the previous / next links at the top and bottom of every notebook (committed)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup lab test execute bench clean browser test-ipywidgets7 slides practice front-page navigation

# torch first, pinned to the CPU build this machine has, so nothing pulls a CUDA build.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[lab,test,browser,slides]"
	@touch $(STAMP)

setup: $(STAMP)

# --allow-root only where we are root (containers, Binder-like images); Jupyter refuses root otherwise.
lab: setup
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

# Two test processes or kernels share the 2 cores: each gets one BLAS/OpenMP thread (setup() does the same in a notebook).
test: export OPENBLAS_NUM_THREADS = 1
test: export OMP_NUM_THREADS = 1
test: export MKL_NUM_THREADS = 1
test: setup browser
	LSTM_SEED_NOTEBOOKS=plain $(PY) -m pytest -n 2 --dist loadfile tests notebooks --nbval-lax --nbval-current-env --ignore=tests/browser \
		--ignore=notebooks/practice
	$(PY) -m pytest -p no:xdist tests/browser
	$(MAKE) --no-print-directory test-ipywidgets7

# The browser tests drive Debian's Chromium: installed with apt where we are root (CI), else advised.
browser:
	@bash tools/install_browser.sh

# Colab ships ipywidgets 7.7: the widget unit tests and the widget notebooks' kernel code run under it too.
IPYW7 := .venv-ipyw7
$(IPYW7)/.installed: pyproject.toml
	@test -x $(IPYW7)/bin/python || $(PYTHON) -m venv $(IPYW7)
	$(IPYW7)/bin/python -m pip install -q torch==2.13.0
	$(IPYW7)/bin/python -m pip install -q -e ".[test]" "ipywidgets==7.7.*"
	@touch $@

test-ipywidgets7: $(IPYW7)/.installed
	@# .venv-ipyw7 has only the "test" extra: every test module must still be collectable there.
	$(IPYW7)/bin/python -m pytest --collect-only -q -p no:cacheprovider tests > /dev/null
	@# the widget tests, and every widget notebook run with its seeds shifted (tests/test_seeds.py)
	LSTM_SEED_NOTEBOOKS=widgets $(IPYW7)/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider \
		tests/test_widgets*.py tests/test_seeds.py

execute: setup
	$(PY) tools/notebooks.py execute

# Decks from the notebooks as saved: run `make execute` first if their outputs are stale.
slides: setup
	$(PY) tools/slides.py

# Records each lesson's calls of its pieces (a kernel run) only where its build cells changed.
practice: setup
	$(PY) tools/practice.py

navigation: setup
	$(PY) tools/navigation.py

front-page: setup
	$(PY) tools/front_page.py

bench: setup
	$(PY) benchmarks/notebooks.py
	$(PY) benchmarks/widget_latency.py

clean:
	rm -rf $(VENV) $(IPYW7) .pytest_cache
