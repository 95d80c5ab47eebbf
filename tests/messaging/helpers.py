"""Messaging test material shared by the service, API, admin and portal tests: staff in each
role, a ticket, a task for one investor with a submitted proof, an uploaded file."""

from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import User
from apps.accounts.roles import FINANCE, OPERATIONS, SUPPORT
from apps.messaging.models import Task, TaskAssignment, Thread
from apps.messaging.services import tasks as task_services
from apps.messaging.services import threads as thread_services
from tests.factories import StaffFactory
from tests.kyc.helpers import jpeg_bytes, pdf_bytes, png_bytes

__all__ = ["jpeg_bytes", "pdf_bytes", "png_bytes"]


def staff_in_role(role: str, **fields) -> User:
    """A staff member in one role, re-read so the role's permissions are seen."""
    staff = StaffFactory(**fields)
    staff.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=staff.pk)


def support_staff(**fields) -> User:
    return staff_in_role(SUPPORT, **fields)


def finance_staff(**fields) -> User:
    return staff_in_role(FINANCE, **fields)


def operations_staff(**fields) -> User:
    return staff_in_role(OPERATIONS, **fields)


def upload(name: str = "receipt.png", content: bytes | None = None, content_type: str = "image/png"):
    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type=content_type)


def ticket_open(
    investor: User, *, subject="Deposit not credited", category="deposit", body="Where is it?", **kwargs
) -> Thread:
    return thread_services.thread_open_by_investor(
        investor=investor, subject=subject, category=category, body=body, **kwargs
    )


def task_for(investor: User, *, staff: User | None = None, reward="5.00", budget=None, **fields) -> Task:
    """A task for one investor (delivered at once)."""
    staff = staff or support_staff()
    defaults = {
        "title": "Follow us on Instagram",
        "instructions_en": "Follow the account and send a link to your profile.",
        "platform": "instagram",
    }
    return task_services.task_create(
        staff=staff, reward=reward, budget=budget, recipient_id=investor.pk, **{**defaults, **fields}
    )


def assignment_submitted(investor: User, *, link="https://instagram.com/p/abc", **task_fields) -> TaskAssignment:
    """A task for ``investor`` whose proof is submitted and waits for review."""
    task = task_for(investor, **task_fields)
    assignment = TaskAssignment.objects.get(task=task, user=investor)
    return task_services.assignment_proof_submit(assignment_id=assignment.pk, user=investor, link=link)


def money(value: str) -> Decimal:
    return Decimal(value)


# --- audiences (added for the service, task and concurrency tests) ---------------------------------

# Who each segment of ``investors_in_every_segment`` holds (names of its investors).
SEGMENT_MEMBERS = {
    ("all", ""): {
        "jordan_en_approved_active",
        "egypt_ar_pending_none",
        "jordan_en_new_matured",
        "jordan_ar_approved_none",
    },
    ("kyc_status", "approved"): {"jordan_en_approved_active", "jordan_ar_approved_none"},
    ("kyc_status", "pending"): {"egypt_ar_pending_none"},
    ("kyc_status", "rejected"): set(),
    ("active_position", ""): {"jordan_en_approved_active"},
    ("no_position", ""): {"egypt_ar_pending_none", "jordan_ar_approved_none"},
    ("country", "JORDAN"): {"jordan_en_approved_active", "jordan_en_new_matured", "jordan_ar_approved_none"},
    ("country", "Egypt"): {"egypt_ar_pending_none"},
    ("language", "ar"): {"egypt_ar_pending_none", "jordan_ar_approved_none"},
    ("language", "en"): {"jordan_en_approved_active", "jordan_en_new_matured"},
}


def investors_in_every_segment() -> dict[str, User]:
    """Four investors spread over the segments (see ``SEGMENT_MEMBERS``), plus a staff member and
    a deactivated investor who would match every segment but are never recipients. Positions
    are bought the real way (a deposit approved, then a plan); one is then marked matured."""
    from apps.investments.models import Position, PositionStatus
    from apps.investments.services.positions import investment_open
    from tests.factories import UserFactory
    from tests.investments.helpers import make_plan
    from tests.wallet.helpers import fund

    approver = StaffFactory(country="Jordan", language="ar")
    people = {
        "jordan_en_approved_active": UserFactory(country="Jordan", language="en", kyc_status="approved"),
        "egypt_ar_pending_none": UserFactory(country="Egypt", language="ar", kyc_status="pending"),
        "jordan_en_new_matured": UserFactory(country="jordan", language="en"),
        "jordan_ar_approved_none": UserFactory(country="Jordan", language="ar", kyc_status="approved"),
    }
    plan = make_plan(actor=approver, min_amount="100.00", max_amount="1000.00")
    for name in ("jordan_en_approved_active", "jordan_en_new_matured"):
        fund(people[name], "100.00", approver=approver)
        investment_open(user=people[name], plan_id=plan.pk, amount="100.00", terms_accepted=True)
    _position_mature(Position.objects.get(user=people["jordan_en_new_matured"]), PositionStatus.MATURED)
    UserFactory(country="Jordan", language="ar", kyc_status="approved", is_active=False)
    return people


def _position_mature(position, matured_status) -> None:
    """Give the principal back (the ledger entry maturity posts) and mark the position matured."""
    from django.db import transaction

    from apps.wallet.models import AccountKind, EntryKind
    from apps.wallet.services.ledger import entry_post, investor_account, transfer_legs

    with transaction.atomic():
        entry = entry_post(
            kind=EntryKind.MATURITY,
            natural_key=f"maturity:{position.pk}",
            legs=transfer_legs(
                debit=investor_account(user=position.user, kind=AccountKind.INVESTED),
                credit=investor_account(user=position.user, kind=AccountKind.AVAILABLE),
                amount=position.principal,
            ),
        )
        type(position).objects.filter(pk=position.pk).update(status=matured_status, maturity_entry=entry)


def roles_restore() -> None:
    """Put the staff roles back with their permissions. A transactional test ends by emptying
    every table, so the groups (and, after some flushes, the permissions) that data migrations
    wrote are gone for the next one; this recreates them as the migrations did (idempotent)."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.management import create_contenttypes

    from apps.accounts.roles import FOUNDATION_PERMISSIONS

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    messaging = importlib.import_module("apps.messaging.migrations.0003_messaging_roles").MESSAGING_PERMISSIONS
    for grants in (FOUNDATION_PERMISSIONS, messaging):
        for role, names in grants.items():
            group, _created = Group.objects.get_or_create(name=role)
            for name in names:
                app_label, codename = name.split(".")
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
