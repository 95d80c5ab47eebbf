"""The KYC part of the staff admin: the review queue (approve and reject through
``apps.kyc.services``), the permission-checked document view, and the read-only access log."""

from apps.kyc.admin.accesses import DocumentAccessAdmin
from apps.kyc.admin.submissions import SubmissionAdmin

__all__ = ["DocumentAccessAdmin", "SubmissionAdmin"]
