"""A database trigger that refuses any change to a written communication.

Entries may still be deleted, which only the destruction of a person's
record does; an entry deleted any other way is found by verify_integrity.
The trigger is a second line: someone with the database can drop it, and
the chain and its anchors are what then tell.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "communications_communication"
MESSAGE = "communications are never changed: write an addendum"

_SQLITE = {
    "install": [
        f"CREATE TRIGGER IF NOT EXISTS communication_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    ],
    "remove": ["DROP TRIGGER IF EXISTS communication_no_update"],
}
_POSTGRESQL = {
    "install": [
        "CREATE OR REPLACE FUNCTION communication_refuse_change() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
        f"CREATE OR REPLACE TRIGGER communication_no_update BEFORE UPDATE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION communication_refuse_change()",
    ],
    "remove": [f"DROP TRIGGER IF EXISTS communication_no_update ON {TABLE}"],
}


def _run(connection: BaseDatabaseWrapper, which: str) -> None:
    statements = {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}[connection.vendor][which]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: BaseDatabaseWrapper) -> None:
    _run(connection, "install")


def remove(connection: BaseDatabaseWrapper) -> None:
    _run(connection, "remove")
