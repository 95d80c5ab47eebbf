"""Append-only tables enforced by the database itself: an UPDATE or DELETE of a row is refused
on PostgreSQL (a row trigger raising) and on SQLite (``RAISE(ABORT)`` triggers). Used for the
access logs of private files (KYC documents, message attachments). The test suite lifts the
SQLite triggers to empty tables between transactional tests (PostgreSQL empties them with
TRUNCATE, which row triggers do not see)."""

from dataclasses import dataclass

SQLITE_ACTIONS = ("UPDATE", "DELETE")


@dataclass(frozen=True)
class AppendOnly:
    table: str
    message: str
    function_name: str = ""  # of the PostgreSQL trigger function; default <table>_refuse_change

    @property
    def function(self) -> str:
        return self.function_name or f"{self.table}_refuse_change"

    def pg_forward(self) -> str:
        return f"""
CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{self.message}' USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER {self.table}_append_only BEFORE UPDATE OR DELETE ON {self.table}
    FOR EACH ROW EXECUTE FUNCTION {self.function}();
"""

    def pg_reverse(self) -> str:
        return f"""
DROP TRIGGER IF EXISTS {self.table}_append_only ON {self.table};
DROP FUNCTION IF EXISTS {self.function}();
"""

    def sqlite_forward_statements(self) -> list[str]:
        return [
            f"CREATE TRIGGER IF NOT EXISTS {self.table}_no_{action.lower()} BEFORE {action} ON {self.table} "
            f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END;"
            for action in SQLITE_ACTIONS
        ]

    def sqlite_reverse_statements(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.table}_no_{action.lower()};" for action in SQLITE_ACTIONS]

    def guards_create(self, apps, schema_editor) -> None:
        postgres = schema_editor.connection.vendor == "postgresql"
        for statement in [self.pg_forward()] if postgres else self.sqlite_forward_statements():
            schema_editor.execute(statement, params=None)

    def guards_drop(self, apps, schema_editor) -> None:
        postgres = schema_editor.connection.vendor == "postgresql"
        for statement in [self.pg_reverse()] if postgres else self.sqlite_reverse_statements():
            schema_editor.execute(statement, params=None)
