"""Bulk SQL data for the benchmarks: a ledger (investors, accounts, entries, postings with correct
running balances) and deposit / withdrawal requests pointing into it. Row triggers are off while
loading (``session_replication_role = replica``); everything is consistent anyway: every entry's
postings sum to zero and cached balances match the postings (``ledger_check`` passes).

The rows only have the *shape* of real ones (kinds, statuses, dates spread out); money always
flows platform cash → investor's available account, whatever the entry's kind."""

from collections.abc import Sequence

# Every entry is a deposit: what ``ledger_check`` needs, nothing more.
DEPOSITS_ONLY = (("deposit", 1),)
# A plausible mix for lists and filters, per 1000 entries: mostly daily returns, a rare kind
# (adjustments, 1 in 1000) to see what a filter matching few rows costs.
REALISTIC_MIX = (
    ("return", 560),
    ("deposit", 150),
    ("investment", 100),
    ("withdrawal_hold", 60),
    ("withdrawal_payout", 50),
    ("commission", 50),
    ("withdrawal_release", 10),
    ("reward", 10),
    ("maturity", 9),
    ("adjustment", 1),
)
# Business dates (and request dates) are spread over this many days.
DAYS = 300
FIRST_DAY = "2026-01-01"


def _kind_case(kinds: Sequence[tuple[str, int]]) -> tuple[str, list]:
    """``CASE g % total WHEN … THEN kind …``: entry ``g`` gets a kind by weight, deterministically."""
    total = sum(weight for _, weight in kinds)
    whens, params, upper = [], [], 0
    for kind, weight in kinds:
        upper += weight
        whens.append("WHEN g %% %s < %s THEN %s")
        params += [total, upper, kind]
    return "CASE " + " ".join(whens) + " END", params


def ledger_generate(*, postings: int, users: int, kinds: Sequence[tuple[str, int]] = DEPOSITS_ONLY) -> None:
    """Users with one available account each; entries of two postings (cash → investor) with
    correct running balances; cached balances to match. Entry ``g`` is on business date
    ``FIRST_DAY + g % DAYS`` and of a kind drawn by ``kinds`` weights."""
    from django.conf import settings
    from django.db import connection, transaction

    entries = postings // 2
    currency = settings.PLATFORM_CURRENCY
    kind_case, kind_params = _kind_case(kinds)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # bulk load: no row triggers
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, country,
                language, referral_code, is_email_verified, kyc_status, is_staff, is_active, date_joined, updated_at)
            SELECT '!', false, 'bench' || g || '@example.com', '', '', '', '', 'en',
                   translate(lpad(g::text, 8, 'Z'), '01', 'AB'), true, 'approved', false, true, now(), now()
            FROM generate_series(1, %s) g
            """,
            [users],
        )
        cursor.execute(
            "INSERT INTO wallet_account (owner_id, kind, currency, balance, created_at)"
            " SELECT id, 'available', %s, 0, now() FROM accounts_user WHERE email LIKE 'bench%%' ORDER BY id",
            [currency],
        )
        cursor.execute("SELECT MIN(id) FROM wallet_account WHERE kind = 'available'")
        first_account = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM wallet_account WHERE owner_id IS NULL AND kind = 'cash'")
        cash = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO wallet_entry (id, kind, natural_key, business_date, currency, memo, created_at)"
            f" SELECT g, {kind_case}, 'bench:' || g, DATE %s + (g %% %s), %s, '',"
            "        TIMESTAMPTZ %s + (g %% %s) * INTERVAL '1 day' + (g %% 86400) * INTERVAL '1 second'"
            " FROM generate_series(1, %s) g",
            [*kind_params, FIRST_DAY, DAYS, currency, FIRST_DAY, DAYS, entries],
        )
        cursor.execute(
            """
            INSERT INTO wallet_posting (id, entry_id, account_id, amount, balance_after, currency)
            SELECT id, entry_id, account_id, amount,
                   SUM(amount) OVER (PARTITION BY account_id ORDER BY id), %(currency)s
            FROM (
                SELECT 2 * g - 1 AS id, g AS entry_id, %(cash)s AS account_id,
                       -(((g::bigint * 7919) %% 100000 + 1)::numeric / 100) AS amount
                FROM generate_series(1, %(entries)s) g
                UNION ALL
                SELECT 2 * g, g, %(first)s + (g %% %(users)s),
                       ((g::bigint * 7919) %% 100000 + 1)::numeric / 100
                FROM generate_series(1, %(entries)s) g
            ) legs
            """,
            {"currency": currency, "cash": cash, "entries": entries, "first": first_account, "users": users},
        )
        cursor.execute(
            "UPDATE wallet_account a SET balance = s.total"
            " FROM (SELECT account_id, SUM(amount) AS total FROM wallet_posting GROUP BY account_id) s"
            " WHERE a.id = s.account_id"
        )
        for table_name in ("wallet_entry", "wallet_posting"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), (SELECT MAX(id) FROM {table_name}))"
            )
    vacuum_analyze("wallet_posting", "wallet_entry", "wallet_account", "accounts_user")


def requests_generate(*, deposits: int, withdrawals: int) -> None:
    """Deposit and withdrawal requests of the bench investors, spread over ``DAYS`` days, in mixed
    statuses. Approved deposits point at deposit entries; withdrawals hold with a
    ``withdrawal_hold`` entry and (once reviewed) close with a ``withdrawal_payout`` one, so
    generate the ledger with ``REALISTIC_MIX`` first (enough entries of those kinds)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT MIN(id), COUNT(*) FROM accounts_user WHERE email LIKE 'bench%%'")
        first_user, users = cursor.fetchone()
        # One id space for both (RequestNumber): deposits 1…d, withdrawals d+1…d+w.
        cursor.execute(
            "INSERT INTO wallet_requestnumber (id) SELECT g FROM generate_series(1, %s) g", [deposits + withdrawals]
        )
        # Statuses by g % 100: 0-19 pending, 20-89 approved, 90-97 rejected, 98-99 cancelled.
        cursor.execute(
            """
            WITH entries AS (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM wallet_entry WHERE kind = 'deposit'
            ), requests AS (
                SELECT g,
                       CASE WHEN g %% 100 < 20 THEN 'pending' WHEN g %% 100 < 90 THEN 'approved'
                            WHEN g %% 100 < 98 THEN 'rejected' ELSE 'cancelled' END AS status,
                       row_number() OVER (PARTITION BY g %% 100 BETWEEN 20 AND 89 ORDER BY g) AS n
                FROM generate_series(1, %(deposits)s) g
            )
            INSERT INTO wallet_deposit (id, user_id, amount, currency, method, sender_address, transaction_hash,
                status, admin_note, confirmed_hash, reviewed_by_id, reviewed_at, entry_id, created_at, updated_at)
            SELECT r.g, %(first_user)s + r.g %% %(users)s,
                   ((r.g::bigint * 7919) %% 100000 + 1000)::numeric / 100, 'USD', 'USDT (TRC20)',
                   'T' || md5('sender' || r.g), md5('deposit' || r.g), r.status, '', '', NULL,
                   CASE WHEN r.status <> 'pending' THEN created END,
                   CASE WHEN r.status = 'approved' THEN e.id END, created, created
            FROM requests r
            CROSS JOIN LATERAL (
                SELECT TIMESTAMPTZ %(first_day)s + (r.g %% %(days)s) * INTERVAL '1 day'
                       + (r.g %% 86400) * INTERVAL '1 second' AS created
            ) t
            LEFT JOIN entries e ON r.status = 'approved' AND e.n = r.n
            """,
            {"deposits": deposits, "first_user": first_user, "users": users, "first_day": FIRST_DAY, "days": DAYS},
        )
        cursor.execute("SELECT COUNT(*) FROM wallet_deposit WHERE status = 'approved' AND entry_id IS NULL")
        if cursor.fetchone()[0]:
            raise ValueError("not enough deposit entries for the approved deposits: generate a bigger ledger")
        cursor.execute(
            """
            WITH holds AS (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM wallet_entry WHERE kind = 'withdrawal_hold'
            ), closes AS (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM wallet_entry WHERE kind = 'withdrawal_payout'
            ), requests AS (
                SELECT g,
                       CASE WHEN g %% 100 < 20 THEN 'pending' WHEN g %% 100 < 80 THEN 'approved'
                            WHEN g %% 100 < 95 THEN 'rejected' ELSE 'cancelled' END AS status
                FROM generate_series(1, %(withdrawals)s) g
            )
            INSERT INTO wallet_withdrawal (id, user_id, amount, fee, currency, address, status, needs_two_approvals,
                first_approved_by_id, first_approved_at, reviewed_by_id, reviewed_at, payout_hash, admin_note,
                hold_entry_id, close_entry_id, created_at, updated_at)
            SELECT %(deposits)s + r.g, %(first_user)s + r.g %% %(users)s,
                   ((r.g::bigint * 7919) %% 100000 + 1000)::numeric / 100, 1.00, 'USD',
                   'T' || md5('to' || r.g), r.status,
                   r.g %% 10 = 0, NULL, NULL, NULL, CASE WHEN r.status <> 'pending' THEN created END,
                   CASE WHEN r.status = 'approved' THEN md5('payout' || r.g) ELSE '' END, '',
                   h.id, CASE WHEN r.status <> 'pending' THEN c.id END, created, created
            FROM requests r
            CROSS JOIN LATERAL (
                SELECT TIMESTAMPTZ %(first_day)s + (r.g %% %(days)s) * INTERVAL '1 day'
                       + (r.g %% 86400) * INTERVAL '1 second' AS created
            ) t
            JOIN holds h ON h.n = r.g
            JOIN closes c ON c.n = r.g
            """,
            {
                "withdrawals": withdrawals,
                "deposits": deposits,
                "first_user": first_user,
                "users": users,
                "first_day": FIRST_DAY,
                "days": DAYS,
            },
        )
        if cursor.rowcount != withdrawals:
            raise ValueError("not enough withdrawal entries for the withdrawals: generate a bigger ledger")
        for table_name in ("wallet_requestnumber", "wallet_deposit", "wallet_withdrawal"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'),"
                f" (SELECT COALESCE(MAX(id), 1) FROM {table_name}))"
            )
    vacuum_analyze("wallet_requestnumber", "wallet_deposit", "wallet_withdrawal")


def vacuum_analyze(*tables: str) -> None:
    """Visibility map and statistics, as a long-running database would have them."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table_name in tables:
            cursor.execute(f"VACUUM ANALYZE {table_name}")
