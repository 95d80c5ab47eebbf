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


# --- Revision (migration 0008): fewer trigger calls for bulk jobs --------------------------------
# - every insert of postings is checked set-based at the end of its statement: each entry it
#   touches must sum to zero (this also refuses postings that would unbalance an entry committed
#   earlier); all the legs of an entry are inserted by one statement (entry_post,
#   entries_post_many and the accrual SQL do so);
# - one deferred check per entry at commit (balanced and not empty), instead of one per posting
#   plus one per entry. Daily-return entries (a million a day) skip it: the accrual job's SQL
#   verifies in the same transaction that each entry it wrote got its postings, and
#   ``ledger_check --deep`` re-checks everything.
PG_GUARDS_V2 = """
DROP TRIGGER IF EXISTS wallet_posting_entry_balanced ON wallet_posting;
DROP TRIGGER IF EXISTS wallet_entry_has_postings ON wallet_entry;
DROP FUNCTION IF EXISTS wallet_entry_check_balanced();
DROP FUNCTION IF EXISTS wallet_entry_check_has_postings();

CREATE OR REPLACE FUNCTION wallet_entry_check_at_commit() RETURNS trigger AS $$
DECLARE
    total numeric;
    legs integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, legs FROM wallet_posting WHERE entry_id = NEW.id;
    IF legs = 0 THEN
        RAISE EXCEPTION 'ledger entry % has no postings', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger entry % is unbalanced: its postings sum to %', NEW.id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER wallet_entry_balanced_at_commit AFTER INSERT ON wallet_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind <> 'return')
    EXECUTE FUNCTION wallet_entry_check_at_commit();

CREATE OR REPLACE FUNCTION wallet_postings_check_entries() RETURNS trigger AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT p.entry_id INTO bad
    FROM wallet_posting p
    WHERE p.entry_id IN (SELECT DISTINCT entry_id FROM inserted)
    GROUP BY p.entry_id
    HAVING SUM(p.amount) <> 0
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ledger entry % is unbalanced by this insert of postings', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER wallet_posting_entries_balanced AFTER INSERT ON wallet_posting
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION wallet_postings_check_entries();
"""

PG_GUARDS_V2_REVERSE = """
DROP TRIGGER IF EXISTS wallet_posting_entries_balanced ON wallet_posting;
DROP TRIGGER IF EXISTS wallet_entry_balanced_at_commit ON wallet_entry;
DROP FUNCTION IF EXISTS wallet_postings_check_entries();
DROP FUNCTION IF EXISTS wallet_entry_check_at_commit();
"""


def guards_v2_create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_GUARDS_V2, params=None)


def guards_v2_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_GUARDS_V2_REVERSE, params=None)
        schema_editor.execute(PG_FORWARD.split("CREATE TRIGGER wallet_entry_append_only")[0], params=None)
        schema_editor.execute(
            PG_FORWARD[PG_FORWARD.index("CREATE OR REPLACE FUNCTION wallet_entry_check_balanced") :], params=None
        )
        schema_editor.execute(PG_ENTRY_HAS_POSTINGS, params=None)


# --- Revision (migration 0016): a chunk of daily returns writes its entry in two statements --------
# The daily returns are one entry per chunk of investors (issue 13): its investors' postings are
# written first, and the return-expense leg, on the account every chunk shares, last, under that
# account's lock, so that chunks run side by side. So:
# - an insert of postings checks, at the end of its statement, every entry it touches that already
#   had postings before it: that entry must still sum to zero (a posting added later to an entry
#   is refused, as before). An entry whose postings all come from this statement is new in this
#   transaction, and is checked at commit;
# - the check at commit (balanced and not empty) runs for every entry again, daily returns
#   included: they are a few dozen entries a day now, not a million.
PG_GUARDS_V3 = """
CREATE OR REPLACE FUNCTION wallet_postings_check_entries() RETURNS trigger AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT touched.entry_id INTO bad
    FROM (SELECT entry_id, COUNT(*) AS added FROM inserted GROUP BY entry_id) touched
    CROSS JOIN LATERAL (
        SELECT COUNT(*) AS legs, SUM(p.amount) AS total FROM wallet_posting p WHERE p.entry_id = touched.entry_id
    ) entry
    WHERE entry.legs > touched.added AND entry.total <> 0
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ledger entry % is unbalanced by this insert of postings', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS wallet_entry_balanced_at_commit ON wallet_entry;
CREATE CONSTRAINT TRIGGER wallet_entry_balanced_at_commit AFTER INSERT ON wallet_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wallet_entry_check_at_commit();
"""


def guards_v3_create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_GUARDS_V3, params=None)


def guards_v3_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_GUARDS_V2_REVERSE, params=None)
        schema_editor.execute(PG_GUARDS_V2, params=None)
