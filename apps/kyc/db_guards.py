"""The document access log is append-only in the database itself (migration 0003): an UPDATE or
DELETE of a ``kyc_documentaccess`` row is refused on PostgreSQL and SQLite alike, so the record
of who looked at which identity document cannot be edited through any path (see
``apps.common.db_guards``)."""

from apps.common.db_guards import AppendOnly

ACCESS_LOG = AppendOnly(
    table="kyc_documentaccess",
    message="kyc_documentaccess is append-only: the access log is never edited",
    function_name="kyc_refuse_access_log_change",
)
TABLE = ACCESS_LOG.table
MESSAGE = ACCESS_LOG.message
sqlite_forward_statements = ACCESS_LOG.sqlite_forward_statements
sqlite_reverse_statements = ACCESS_LOG.sqlite_reverse_statements
guards_create = ACCESS_LOG.guards_create
guards_drop = ACCESS_LOG.guards_drop
