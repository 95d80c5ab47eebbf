"""The attachment access log is append-only in the database itself (migration 0004), like the
KYC document access log: who opened which message file cannot be edited through any path."""

from apps.common.db_guards import AppendOnly

ACCESS_LOG = AppendOnly(
    table="messaging_attachmentaccess",
    message="messaging_attachmentaccess is append-only: the access log is never edited",
)
sqlite_forward_statements = ACCESS_LOG.sqlite_forward_statements
sqlite_reverse_statements = ACCESS_LOG.sqlite_reverse_statements
