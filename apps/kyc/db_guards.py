"""The document access log is append-only in the database itself (migration 0003): an UPDATE or
DELETE of a ``kyc_documentaccess`` row is refused on PostgreSQL and SQLite alike, so the record
of who looked at which identity document cannot be edited through any path. The test suite lifts
the SQLite triggers to empty tables between transactional tests (PostgreSQL empties them with
TRUNCATE, which row triggers do not see)."""

TABLE = "kyc_documentaccess"
MESSAGE = "kyc_documentaccess is append-only: the access log is never edited"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION kyc_refuse_access_log_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER kyc_documentaccess_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION kyc_refuse_access_log_change();
"""

PG_REVERSE = f"""
DROP TRIGGER IF EXISTS kyc_documentaccess_append_only ON {TABLE};
DROP FUNCTION IF EXISTS kyc_refuse_access_log_change();
"""

SQLITE_ACTIONS = ("UPDATE", "DELETE")


def sqlite_forward_statements() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        for action in SQLITE_ACTIONS
    ]


def sqlite_reverse_statements() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {TABLE}_no_{action.lower()};" for action in SQLITE_ACTIONS]


def guards_create(apps, schema_editor) -> None:
    statements = [PG_FORWARD] if schema_editor.connection.vendor == "postgresql" else sqlite_forward_statements()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def guards_drop(apps, schema_editor) -> None:
    statements = [PG_REVERSE] if schema_editor.connection.vendor == "postgresql" else sqlite_reverse_statements()
    for statement in statements:
        schema_editor.execute(statement, params=None)
