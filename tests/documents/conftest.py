"""Documents rendered once per module (WeasyPrint takes a tenth of a second or more per
document): the data is made in a transaction that is rolled back, and the tests read the
PDF bytes. Modules using `module_db` are marked django_db, so that pytest-django sets
the test database up even when only these tests run."""

import contextlib

import pytest
from django.db import transaction

# The reports' obligation (and what it needs) for the receipt tests in test_report_version;
# imported here rather than in the test module, where the fixture arguments shadow it.
from tests.reports.conftest import obligation, period, report_type  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A context manager: database access inside it, everything rolled back at the end."""

    @contextlib.contextmanager
    def rolled_back():
        with django_db_blocker.unblock(), transaction.atomic():
            yield
            transaction.set_rollback(True)

    return rolled_back
