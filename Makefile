# The two commands of the README, and the third that refreshes the notebooks' outputs.
#   make lab      set up .venv and open the series in JupyterLab
#   make test     set up .venv and run every test (unit tests, then every notebook under nbval)
#   make execute  re-execute every notebook in place, in order, from a fresh kernel
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup lab test execute bench clean

# torch first, pinned to the CPU build this machine has, so nothing pulls a CUDA build.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[lab,test,browser]"
	@touch $(STAMP)

setup: $(STAMP)

# --allow-root only where we are root (containers, Binder-like images); Jupyter refuses root otherwise.
lab: setup
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

test: setup
	$(PY) -m pytest -n 2 --dist loadfile tests notebooks --nbval-lax --nbval-current-env

execute: setup
	$(PY) tools/notebooks.py execute

bench: setup
	$(PY) benchmarks/notebooks.py

clean:
	rm -rf $(VENV) .pytest_cache
