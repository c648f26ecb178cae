# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Compiles a lock from a .in file: every package of the tree pinned with the hashes of all
# its files, for every OS (a laptop may be a Mac). uv keeps the pins and hashes already in
# the output file, so only a change to the .in files changes a lock, never a new release.
# --no-config: a developer's own uv.toml must not make their lock differ from CI's.
LOCK := $(VENV)/bin/uv pip compile --quiet --no-config --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock"

.PHONY: install run test lint format lock lock-check bench clean

# The dev lock holds the runtime lock's pins plus the test tools, so one install does both.
# --no-deps: the lock already names every package of the tree, so pip has nothing to
# resolve. Resolving anyway breaks on extras: pip 23 looks up justext's `lxml[html_clean]`
# on the index, finds a newer lxml than the pinned one and refuses it as unpinned.
# `pip check` then proves the installed set is complete and consistent.
$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.txt
	$(PY) -m pip check
	touch $(INSTALLED)

install: $(INSTALLED)

run: $(INSTALLED)
	NEWSFACTS_DEBUG=$${NEWSFACTS_DEBUG:-1} $(PY) manage.py rundesk

test: $(INSTALLED)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# After editing requirements.in or requirements-dev.in. The runtime lock first: the dev
# lock is constrained to its versions (-c requirements.txt in requirements-dev.in).
# LOCK_ARGS="--upgrade-package NAME" moves a package that no .in file pins.
lock: $(INSTALLED)
	$(LOCK) $(LOCK_ARGS) requirements.in -o requirements.txt
	$(LOCK) $(LOCK_ARGS) requirements-dev.in -o requirements-dev.txt

# Compiles both locks afresh into a scratch folder, starting from the committed ones as
# `make lock` would, and fails if either differs.
lock-check: $(INSTALLED)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp requirements.txt requirements-dev.txt "$$tmp"/ && \
	$(LOCK) requirements.in -o "$$tmp"/requirements.txt && \
	$(LOCK) requirements-dev.in -o "$$tmp"/requirements-dev.txt && \
	stale="" && \
	for lock in requirements.txt requirements-dev.txt; do \
		diff -u "$$lock" "$$tmp/$$lock" || stale="$$stale $$lock"; \
	done && \
	if [ -n "$$stale" ]; then \
		echo "Stale:$$stale is not what the .in files give. Run 'make lock' and commit it." >&2; \
		exit 1; \
	fi && echo "Locks match requirements.in and requirements-dev.in."

bench: $(INSTALLED)
	$(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache
