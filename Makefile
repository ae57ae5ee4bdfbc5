# Two commands on a fresh machine: `make demo` and `make test`. Everything else is a part of those.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help venv test units sanity integration sandbox-test footmark lifecycle soak demo sandbox clean

help:
	@echo "make demo   - start a sandbox, provision against it twice, print the report"
	@echo "make test   - the whole suite: sanity, unit, sandbox and integration tests"
	@echo "make soak SEEDS=N - long lifecycle walks (tests/lifecycle/README.md)"

$(STAMP): requirements.txt tests/requirements.txt sandbox/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r tests/requirements.txt \
		-e './sandbox[test]'
	$(PY) tests/harness/suite.py deps
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(PY) tests/harness/suite.py all

units: $(STAMP)
	$(PY) tests/harness/suite.py units

sanity: $(STAMP)
	$(PY) tests/harness/suite.py sanity

integration: $(STAMP)
	$(PY) tests/harness/suite.py integration $(if $(TARGETS),--targets $(TARGETS))

sandbox-test: $(STAMP)
	$(PY) tests/harness/suite.py sandbox

lifecycle: $(STAMP)
	$(PY) tests/harness/suite.py lifecycle

# community.general.ali_instance on footmark against the sandbox (tests/footmark/run.py); its venv is built once.
footmark: $(STAMP)
	$(PY) tests/harness/suite.py footmark

# Long lifecycle walks (tests/lifecycle/README.md): make soak SEEDS=200 [STEPS=12] [XFAIL=all]
SEEDS ?= 20
STEPS ?= 12
soak: $(STAMP)
	nice $(PY) tests/lifecycle/walk.py --seeds 1-$(SEEDS) --steps $(STEPS) --keep-going $(if $(XFAIL),--xfail $(XFAIL))

demo: $(STAMP)
	$(PY) tests/harness/demo.py

clean:
	rm -rf .cache .sandbox
