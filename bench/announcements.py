"""Benchmark: one announcement delivered to every investor (DESIGN P6) on PostgreSQL.

Generates N investors (every fifth one Arabic; plus staff and deactivated users, who are never
recipients) with bulk SQL, then measures in one run, each on an announcement of its own so all
three write the same rows into the same table:
- the project: ``announcement_deliver`` through the real job path (chunks of
  ``DELIVERY_CHUNK_SIZE``, each locking the announcement, reading and moving its cursor, one
  ``INSERT … SELECT … ON CONFLICT DO NOTHING``, in its own transaction). Emails are not counted:
  the after-commit email dispatch of each chunk (``_emails_after_chunk``) is replaced by a
  counter, so no email task is queued;
- a lower-bound reference: one bare ``INSERT … SELECT`` of every notice, one transaction;
- a naive reference: one ``Notification.objects.create`` per recipient (one transaction each),
  timed on a sample and extrapolated to N.
Each timed run writes into the emptied notice table (its rows are deleted and vacuumed after it);
the project and the SQL run ``--repeats`` times each, alternating, and the medians are compared;
an untimed SQL run warms the caches first. Every run checks each recipient got exactly one notice.

    .venv/bin/python bench/announcements.py [--investors 100000] [--chunk-size N] [--repeats 3] [--keep]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_setup_on_fresh_database, drop_database, step, table
from bench.data import vacuum_analyze

DB_NAME = "bursar_bench_announcements"
NAIVE_SAMPLE = 2000
TEXT = {
    "title_en": "A new plan is open",
    "body_en": "Our new twelve-month plan opens today. Read its terms on the plans page.",
    "title_ar": "خطة جديدة متاحة",
    "body_ar": "تفتح اليوم خطتنا الجديدة لاثني عشر شهرا. اقرأ شروطها في صفحة الخطط.",
    "link": "/plans/",
}


def generate(*, investors: int) -> None:
    """Investors (every fifth Arabic), 50 staff and 500 deactivated investors."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, country,
                language, referral_code, is_email_verified, kyc_status, is_staff, is_active, date_joined, updated_at)
            SELECT '!', false, 'bench' || g || '@example.com', 'Investor', '', '', 'Jordan',
                   CASE WHEN g %% 5 = 0 THEN 'ar' ELSE 'en' END,
                   translate(lpad(g::text, 8, 'Z'), '01', 'AB'), true, 'approved',
                   g <= 50, NOT (g > 50 AND g <= 550), now(), now()
            FROM generate_series(1, %s) g
            """,
            [investors + 550],
        )
    vacuum_analyze("accounts_user")


def staff_member():
    from apps.accounts.models import User

    return User.objects.create_superuser(email="bench-staff@example.com", password="x" * 12)


def announcement_new(staff, label: str):
    """A draft, then started the way ``announcement_send`` starts it (its after-commit job
    dispatch replaced: the benchmark runs the job itself)."""
    from apps.messaging.services import announcements

    announcement = announcements.announcement_create(staff=staff, **{**TEXT, "title_en": f"{TEXT['title_en']} {label}"})
    real = announcements._deliver_after_commit
    announcements._deliver_after_commit = lambda announcement_id: None
    try:
        announcements.announcement_send(announcement_id=announcement.pk, staff=staff)
    finally:
        announcements._deliver_after_commit = real
    return announcement


def project(announcement, *, chunk_size: int | None) -> tuple[float, int, int]:
    """Seconds, notices written, and email dispatches that would have been queued."""
    from apps.messaging.services import announcements

    dispatched = []
    real = announcements._emails_after_chunk
    announcements._emails_after_chunk = lambda announcement_id, chunk: dispatched.append(chunk.through)
    try:
        start = time.perf_counter()
        written = announcements.announcement_deliver(announcement_id=announcement.pk, chunk_size=chunk_size)
        seconds = time.perf_counter() - start
    finally:
        announcements._emails_after_chunk = real
    return seconds, written, len(dispatched)


def reference_sql(announcement) -> tuple[float, int]:
    """The lower bound: every notice in one bare INSERT … SELECT, in one transaction."""
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO messaging_notification (user_id, kind, category, title, body, link, is_read, created_at,
                announcement_id)
            SELECT u.id, 'announcement', 'announcements',
                   CASE WHEN u.language = 'ar' THEN %(title_ar)s ELSE %(title_en)s END,
                   CASE WHEN u.language = 'ar' THEN %(body_ar)s ELSE %(body_en)s END,
                   %(link)s, false, now(), %(announcement)s
            FROM accounts_user u
            WHERE u.is_staff = false AND u.is_active = true
            """,
            {**TEXT, "title_en": announcement.title_en, "announcement": announcement.pk},
        )
        written = cursor.rowcount
    return time.perf_counter() - start, written


def naive_sample(announcement, *, sample: int) -> float:
    """One ORM create per recipient (each its own transaction); seconds per recipient."""
    from apps.accounts.models import User
    from apps.messaging.models import Notification

    users = list(User.objects.filter(is_staff=False, is_active=True).order_by("pk").only("pk", "language")[:sample])
    start = time.perf_counter()
    for user in users:
        Notification.objects.create(
            user=user,
            kind="announcement",
            category="announcements",
            title=announcement.title_for(user.language),
            body=announcement.body_for(user.language),
            link=announcement.link,
            announcement=announcement,
        )
    return (time.perf_counter() - start) / len(users)


def notices_of(announcement) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM messaging_notification WHERE announcement_id = %s",
            [announcement.pk],
        )
        return cursor.fetchone()


def notices_delete(announcement) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM messaging_notification WHERE announcement_id = %s", [announcement.pk])
    vacuum_analyze("messaging_notification")


def measured(kind: str, staff, *, investors: int, chunk_size: int, label: str) -> tuple[float, int]:
    """One timed delivery into the emptied notice table; its rows are deleted afterwards."""
    announcement = announcement_new(staff, label)
    if kind == "sql":
        seconds, written = reference_sql(announcement)
        dispatches = 0
    else:
        seconds, written, dispatches = project(announcement, chunk_size=chunk_size)
        announcement.refresh_from_db()
        assert (announcement.status, announcement.delivered_count) == ("sent", investors)
    assert written == investors, written
    assert notices_of(announcement) == (investors, investors)  # each recipient exactly once
    notices_delete(announcement)
    return seconds, dispatches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--investors", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=None, help="default: DELIVERY_CHUNK_SIZE")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the project and of the SQL each")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    print(f"announcement benchmark: {args.investors:,} investors (PostgreSQL)")
    with step("migrating a fresh database"):
        django_setup_on_fresh_database(DB_NAME)
    try:
        from django.conf import settings

        chunk_size = args.chunk_size or settings.DELIVERY_CHUNK_SIZE
        with step("generating investors"):
            generate(investors=args.investors)
        staff = staff_member()
        with step("warming up: one untimed bare INSERT … SELECT"):
            measured("sql", staff, investors=args.investors, chunk_size=chunk_size, label="(warm-up)")
        runs: dict[str, list[float]] = {"project": [], "sql": []}
        dispatches = 0
        for repeat in range(args.repeats):
            order = ("sql", "project") if repeat % 2 == 0 else ("project", "sql")
            for kind in order:
                title = "bare INSERT … SELECT" if kind == "sql" else f"announcement_deliver, chunks of {chunk_size:,}"
                with step(f"run {repeat + 1}/{args.repeats}: {title}"):
                    seconds, queued = measured(
                        kind, staff, investors=args.investors, chunk_size=chunk_size, label=f"({kind} {repeat})"
                    )
                runs[kind].append(seconds)
                dispatches = max(dispatches, queued)
        sample = min(NAIVE_SAMPLE, args.investors)
        with step(f"naive loop on {sample:,} recipients"):
            per_row = naive_sample(announcement_new(staff, "(naive)"), sample=sample)
        project_seconds, reference = statistics.median(runs["project"]), statistics.median(runs["sql"])
        naive = per_row * args.investors
        print()
        print("Emails not counted: each chunk's after-commit email dispatch was replaced by a counter")
        print(f"({dispatches} dispatches per delivery would have been queued); no email task ran.")
        print()
        print(
            table(
                [
                    ("measure (median of runs)", "seconds", "runs", "note"),
                    (
                        "project, announcement_deliver (real job path)",
                        f"{project_seconds:.2f}",
                        ", ".join(f"{run:.2f}" for run in runs["project"]),
                        f"{dispatches} chunks of {chunk_size:,}; P6 target ≤ {1.5 * reference:.2f} (1.5× SQL)",
                    ),
                    (
                        "lower bound, bare INSERT … SELECT",
                        f"{reference:.2f}",
                        ", ".join(f"{run:.2f}" for run in runs["sql"]),
                        "one statement, one transaction",
                    ),
                    (
                        "naive, one ORM create per recipient (extrapolated)",
                        f"{naive:.1f}",
                        f"{sample:,} timed",
                        f"{per_row * 1000:.2f} ms per recipient; ≥ 20× the project wanted",
                    ),
                ]
            )
        )
        ratio_sql, ratio_naive = project_seconds / reference, naive / project_seconds
        met = "yes" if ratio_sql <= 1.5 and ratio_naive >= 20 else "NO"
        print(f"\nratios: project/SQL = {ratio_sql:.2f} (≤ 1.5), naive/project = {ratio_naive:.0f}× (≥ 20): {met}")
    finally:
        if not args.keep:
            drop_database(DB_NAME)


if __name__ == "__main__":
    main()
