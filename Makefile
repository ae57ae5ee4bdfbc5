# Two commands on a fresh machine: `make demo` and `make test`. Everything else is a part of those.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help venv tools test units sanity integration sandbox-test footmark lifecycle soak demo progress rehearse stop sandbox release changelog clean

help:
	@echo "make demo   - start a sandbox, provision against it twice, print the report"
	@echo "make test   - the whole suite: sanity, unit, sandbox and integration tests"
	@echo "make rehearse - a sandbox in the background and the collection built for ansible.cfg; make stop ends it"
	@echo "make soak SEEDS=N - long lifecycle walks (tests/lifecycle/README.md)"
	@echo "make footmark - community.general.ali_instance (footmark) against the sandbox; not in make test"
	@echo "make progress - a realistic-profile attach prints a progress line at least every 15 s (docs/progress.md)"
	@echo "make release - the collection tarball in dist/, with CHANGELOG.rst generated from the fragments"

$(STAMP): requirements.txt tests/requirements.txt sandbox/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r tests/requirements.txt \
		-e './sandbox[test]'
	$(PY) tests/harness/suite.py deps
	touch $(STAMP)

venv: $(STAMP) tools

# ansible-test sanity skips its shellcheck test without the binary: install the Debian package when it is missing.
# It needs root and apt-get; without them (or without the registry) this says so and the suite goes on.
APT := apt-get -qq -o DPkg::Lock::Timeout=120 -o Acquire::Retries=1 -o Acquire::http::Timeout=30
tools:
	@if command -v shellcheck >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
		echo "make: shellcheck is missing and installing it needs root and apt-get;" \
			"ansible-test sanity will skip its shellcheck test (install the Debian package shellcheck)"; \
	else \
		echo "make: installing shellcheck (Debian package) for ansible-test sanity"; \
		export DEBIAN_FRONTEND=noninteractive; \
		$(APT) install -y shellcheck >/dev/null 2>&1 || { $(APT) update && $(APT) install -y shellcheck >/dev/null; } \
			|| echo "make: could not install shellcheck; ansible-test sanity will skip its shellcheck test"; \
	fi

test: $(STAMP) tools
	$(PY) tests/harness/suite.py all

units: $(STAMP)
	$(PY) tests/harness/suite.py units

sanity: $(STAMP) tools
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

# Rehearse against the sandbox (README): the sandbox in the background, its log in .sandbox/sandbox.log, the collection
# built into .cache/rehearse where ansible.cfg looks; prints the two lines to paste. `make stop` ends the sandbox.
rehearse: $(STAMP)
	@$(PY) tests/harness/rehearse.py start

stop:
	@$(PYTHON) tests/harness/rehearse.py stop

# About 80 s against its own realistic-profile sandbox, so not part of `make test` (docs/progress.md).
progress: $(STAMP)
	nice $(PY) tests/harness/progress.py

# The collection tarball, built from a copy of the checkout in which antsibull-changelog turns the fragments into
# CHANGELOG.rst and changelogs/changelog.yaml. `make test` builds and checks it the same way (tests/harness/release.py).
release: $(STAMP)
	$(PY) tests/harness/release.py build --output-path dist

# Cutting a release: writes CHANGELOG.rst and changelogs/changelog.yaml for galaxy.yml's version into the checkout and
# removes the fragments they now hold; commit all three, then raise the version in galaxy.yml.
changelog: $(STAMP)
	$(VENV)/bin/antsibull-changelog release --ansible-doc-bin $(VENV)/bin/ansible-doc

clean:
	rm -rf .cache .sandbox
