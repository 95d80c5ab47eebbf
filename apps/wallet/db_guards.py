"""SQL that makes the database itself guard the ledger (used by migration 0002 and by the test
suite, which must lift the SQLite append-only triggers to empty tables between tests)."""

PG_FORWARD = """
CREATE OR REPLACE FUNCTION wallet_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: post a reversing entry instead', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER wallet_entry_append_only BEFORE UPDATE OR DELETE ON wallet_entry
    FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change();
CREATE TRIGGER wallet_posting_append_only BEFORE UPDATE OR DELETE ON wallet_posting
    FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change();

CREATE OR REPLACE FUNCTION wallet_entry_check_balanced() RETURNS trigger AS $$
DECLARE
    total numeric;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO total FROM wallet_posting WHERE entry_id = NEW.entry_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger entry % is unbalanced: its postings sum to %', NEW.entry_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER wallet_posting_entry_balanced AFTER INSERT ON wallet_posting
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wallet_entry_check_balanced();
"""

# An entry must carry postings: checked at commit, so the postings can follow the entry.
PG_ENTRY_HAS_POSTINGS = """
CREATE OR REPLACE FUNCTION wallet_entry_check_has_postings() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM wallet_posting WHERE entry_id = NEW.id) THEN
        RAISE EXCEPTION 'ledger entry % has no postings', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER wallet_entry_has_postings AFTER INSERT ON wallet_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wallet_entry_check_has_postings();
"""

PG_ENTRY_HAS_POSTINGS_REVERSE = """
DROP TRIGGER IF EXISTS wallet_entry_has_postings ON wallet_entry;
DROP FUNCTION IF EXISTS wallet_entry_check_has_postings();
"""

PG_REVERSE = """
DROP TRIGGER IF EXISTS wallet_posting_entry_balanced ON wallet_posting;
DROP TRIGGER IF EXISTS wallet_posting_append_only ON wallet_posting;
DROP TRIGGER IF EXISTS wallet_entry_append_only ON wallet_entry;
DROP FUNCTION IF EXISTS wallet_entry_check_balanced();
DROP FUNCTION IF EXISTS wallet_refuse_change();
"""

SQLITE_TRIGGERS = [(table, action) for table in ("wallet_entry", "wallet_posting") for action in ("UPDATE", "DELETE")]


def sqlite_forward_statements() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: post a reversing entry instead'); END;"
        for table, action in SQLITE_TRIGGERS
    ]


def sqlite_reverse_statements() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{action.lower()};" for table, action in SQLITE_TRIGGERS]


def guards_create(apps, schema_editor) -> None:
    statements = [PG_FORWARD] if schema_editor.connection.vendor == "postgresql" else sqlite_forward_statements()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def guards_drop(apps, schema_editor) -> None:
    statements = [PG_REVERSE] if schema_editor.connection.vendor == "postgresql" else sqlite_reverse_statements()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def entry_has_postings_create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_ENTRY_HAS_POSTINGS, params=None)


def entry_has_postings_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_ENTRY_HAS_POSTINGS_REVERSE, params=None)
