# yingji: `make run` serves the demo site, `make test` runs every check CI runs.
PORT ?= 8000
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test install messages clean-var

$(BIN)/python:
	bash scripts/bootstrap.sh $(VENV)

# Reinstall only when the dependency list changes, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP) -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/yingji migrate --noinput -v 0
	$(BIN)/yingji demo --if-empty
	$(BIN)/yingji serve --port $(PORT)

test: $(VENV)/.installed-dev
	bash scripts/test.sh

# After changing user-facing strings: extract, translate the new entries, compile.
messages: $(VENV)/.installed
	cd src/yingji && ../../$(BIN)/yingji makemessages -l zh_Hans
	msgfmt --check -o src/yingji/locale/zh_Hans/LC_MESSAGES/django.mo \
		src/yingji/locale/zh_Hans/LC_MESSAGES/django.po
