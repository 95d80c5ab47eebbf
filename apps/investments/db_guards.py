"""The risk disclosure acceptances are append-only in the database itself (migration 0004): an
UPDATE or DELETE of an ``investments_riskdisclosureacceptance`` row is refused on PostgreSQL and
SQLite alike, so the record of what an investor accepted, and when, cannot be edited through any
path (see ``apps.common.db_guards``)."""

from apps.common.db_guards import AppendOnly

ACCEPTANCES = AppendOnly(
    table="investments_riskdisclosureacceptance",
    message="investments_riskdisclosureacceptance is append-only: an acceptance is never edited",
    function_name="investments_refuse_risk_acceptance_change",
)
TABLE = ACCEPTANCES.table
MESSAGE = ACCEPTANCES.message
sqlite_forward_statements = ACCEPTANCES.sqlite_forward_statements
sqlite_reverse_statements = ACCEPTANCES.sqlite_reverse_statements
guards_create = ACCEPTANCES.guards_create
guards_drop = ACCEPTANCES.guards_drop
