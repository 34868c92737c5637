# chibo — the two commands are `make run` and `make test` (see README.md).
PORT ?= 8000
CHIBO := .venv/bin/chibo

.PHONY: run test e2e bench setup setup-test lint

setup:
	@bash scripts/setup.sh run

setup-test:
	@bash scripts/setup.sh test

run: setup
	@CHIBO_DEMO=1 $(CHIBO) migrate --noinput -v 0
	@CHIBO_DEMO=1 $(CHIBO) demo --if-empty
	@CHIBO_DEMO=1 $(CHIBO) collectstatic --noinput -v 0
	@CHIBO_DEMO=1 $(CHIBO) demo_logins
	@echo "chibo: http://127.0.0.1:$(PORT)/"
	@CHIBO=$(CHIBO) PORT=$(PORT) bash scripts/run.sh  # the server and `chibo worker`

test: setup-test
	@bash scripts/test.sh all

e2e: setup-test
	@bash scripts/test.sh e2e

bench: setup-test
	@bash bench/run.sh

lint: setup-test
	@.venv/bin/ruff check chibo tests bench && .venv/bin/ruff format --check chibo tests bench
