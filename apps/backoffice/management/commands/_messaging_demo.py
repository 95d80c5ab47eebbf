"""The messaging center's part of ``seed_demo``: what a newcomer should find after ``make run``.
Everything goes through the services, as staff and the investor would do it."""

from apps.messaging.services import announcements, canned, tasks, threads

canned_reply_save = canned.canned_reply_save


def tickets_create(*, staff, investor, receipt) -> None:
    """An open ticket with a receipt attached, waiting on staff; and a resolved one."""
    threads.thread_open_by_investor(
        investor=investor,
        subject="My deposit is not on my balance yet",
        category="deposit",
        body="I sent 500 USDT this morning from my exchange. The receipt is attached. When will it show?",
        attachments=[receipt],
    )
    resolved = threads.thread_open_by_investor(
        investor=investor,
        subject="Where do I find my referral link?",
        category="referral",
        body="I would like to invite a friend. Where is my link?",
    )
    threads.thread_reply(
        thread_id=resolved.pk,
        author=staff,
        body="Your link is on the Referrals page, with a button to copy it. Anyone who signs up with it is yours.",
    )
    threads.thread_status_set(thread_id=resolved.pk, actor=staff, status="resolved")


def task_with_proof_create(*, staff, investor) -> None:
    """A task for the demo investor, accepted and with a proof link waiting for review."""
    task = tasks.task_create(
        staff=staff,
        title="Follow us on Instagram",
        instructions_en="Follow our Instagram account, then send the link to your profile as proof.",
        instructions_ar="تابع حسابنا على إنستغرام، ثم أرسل رابط ملفك الشخصي كإثبات.",
        platform="instagram",
        reward="5.00",
        budget="500.00",
        recipient_id=investor.pk,
    )
    assignment = task.assignments.get(user=investor)
    tasks.assignment_proof_submit(
        assignment_id=assignment.pk, user=investor, link="https://www.instagram.com/bursar.demo.investor/"
    )


def announcement_publish(*, staff) -> None:
    """A pinned welcome to every investor, delivered at once (the queued job then finds it done)."""
    announcement = announcements.announcement_create(
        staff=staff,
        title_en="Welcome to the new investor portal",
        body_en="Messages, tasks and notifications now live in one place. Write to us from the Messages page.",
        title_ar="مرحبًا بك في بوابة المستثمر الجديدة",
        body_ar="الرسائل والمهام والإشعارات أصبحت في مكان واحد. راسلنا من صفحة الرسائل.",
        link="/messages/",
        segment="all",
        pinned=True,
    )
    announcements.announcement_send(announcement_id=announcement.pk, staff=staff)
    announcements.announcement_deliver(announcement_id=announcement.pk)
