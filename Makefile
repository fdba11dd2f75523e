# `make run` and `make test` work on a fresh machine with Python 3.11 and nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Development defaults; real deployments set these in the environment (README.md).
export DJANGO_DEBUG ?= 1
export DJANGO_SECRET_KEY ?= dev-only-secret-key-change-me

.PHONY: run test install migrate demo services messages clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_units
	$(BIN)/python manage.py seed_demo

run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# PostgreSQL + Redis + Celery worker and beat, all started by one command (Procfile), for
# DEVELOPMENT: DEBUG on, the public secret key above, the demo accounts. A server runs the
# systemd units of deploy/systemd/ instead (README.md, "Production").
services: demo
	@echo "make services: development only (DEBUG on, demo accounts with a public password)."
	@echo "For a server, follow README.md, section Production (deploy/systemd/)."
	$(BIN)/honcho start

messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --no-location --ignore=.venv --ignore=bench --ignore=tests
	cd locale/en/LC_MESSAGES && msgfmt --check -o django.mo django.po

clean:
	rm -rf $(VENV) staticfiles var
