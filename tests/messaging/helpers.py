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


def ticket_open(investor: User, *, subject="Deposit not credited", category="deposit", body="Where is it?", **kwargs) -> Thread:
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
