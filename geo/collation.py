"""Vietnamese order in the database, the same on PostgreSQL and SQLite.

Name columns carry `db_collation=VI_COLLATION` ("vi-x-icu"), so a plain `ORDER BY name`
(Meta.ordering, `order_by("name")`, ModelChoiceField querysets, django-filter choices,
the admin) is in Vietnamese order:

- PostgreSQL has the collation from ICU (`pg_collation`, provider "i"); the indexes on
  those columns are built with it, so the lists still read them in order;
- SQLite has none: on every connection the project registers a collation of the same name
  whose comparison is geo.text.vi_sort_key, the one Python definition of the order (it
  matches ICU's; tests/geo/test_collation.py checks both against the same expected list).
  A database file opened by another program (the sqlite3 shell, `manage.py dbshell`)
  lacks it: "no such collation sequence" there means "use `manage.py shell`".

People sort by given name, then by the other names: Vietnamese names end with the given
name ("Nguyễn Văn An" sorts under "An"). `person_ordering()` orders by two expressions on
the full name rather than by columns kept in step with it: nothing can forget to update
them (imports and the load generator write with bulk_create), and person lists are short
(a center's staff, a province's accounts). The words are split on ASCII white space in both
databases, as geo.text.person_name_parts does.
"""

from django.db.backends.signals import connection_created
from django.db.models import CharField, F, Func, OrderBy, Value
from django.db.models.functions import Coalesce, Collate, NullIf

from .text import VI_COLLATION, person_name_parts, vi_compare

__all__ = [
    "VI_COLLATION", "GivenName", "OtherNames", "person_ordering", "user_name", "vi",
    "register_sqlite_functions", "UNIT_ORDERING", "unit_ordering",
]

# Communes (and provinces) in one order on every page: by name in Vietnamese order; the
# type ("Xã", "Phường") and the statistics code only break ties between equal names.
UNIT_ORDERING = ("name", "unit_type", "code")


def unit_ordering(prefix: str = "") -> list[str]:
    """UNIT_ORDERING through a relation: unit_ordering("center__commune__")."""
    return [f"{prefix}{field}" for field in UNIT_ORDERING]


# ASCII white space, as in geo.text.person_name_parts (regular expressions of PostgreSQL).
_SPACE = r"[ \t\n\r\f\v]"
_WORD = r"[^ \t\n\r\f\v]+"


def vi(expression) -> Collate:
    """`expression COLLATE "vi-x-icu"`: for values that are not a collated column (an
    annotation, a function of a name)."""
    if isinstance(expression, str):
        expression = F(expression)
    return Collate(expression, VI_COLLATION)


class GivenName(Func):
    """The last word of a full name ("" for an empty name)."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="vi_given_name", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = f"COALESCE(substring(%(expressions)s from '({_WORD}){_SPACE}*$'), '')"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class OtherNames(Func):
    """The words before the given name, joined by one space: family and middle names."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="vi_other_names", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            f"btrim(regexp_replace(regexp_replace(%(expressions)s, '{_WORD}{_SPACE}*$', ''), "
            f"'{_SPACE}+', ' ', 'g'), ' ')"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


def user_name(prefix: str = ""):
    """What an account is called (User.__str__): its full name, else its username."""
    return Coalesce(NullIf(F(f"{prefix}full_name"), Value("")), F(f"{prefix}username"), output_field=CharField())


def person_ordering(field="full_name", *, descending: bool = False) -> list[OrderBy]:
    """ORDER BY given name, other names, then the whole name, in Vietnamese order;
    the same order as sorted(..., key=geo.text.person_sort_key)."""
    expression = F(field) if isinstance(field, str) else field
    parts = (vi(GivenName(expression)), vi(OtherNames(expression)), vi(expression))
    return [part.desc() if descending else part.asc() for part in parts]


def _given_name(value):
    return None if value is None else person_name_parts(value)[0]


def _other_names(value):
    return None if value is None else person_name_parts(value)[1]


def register_sqlite_functions(sender, connection, **kwargs):
    """The collation and the two name functions on every new SQLite connection."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_collation(VI_COLLATION, vi_compare)
    raw.create_function("vi_given_name", 1, _given_name, deterministic=True)
    raw.create_function("vi_other_names", 1, _other_names, deterministic=True)


def connect() -> None:
    connection_created.connect(register_sqlite_functions, dispatch_uid="geo.collation.sqlite")
