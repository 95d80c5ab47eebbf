"""The identity check (KYC) page of the investor portal: the status of the current submission, the
form to send documents (first time, or again after a rejection) and the history of submissions.

The view parses the request, calls ``kyc_submission_create`` (which checks everything), and
renders; a refusal is a form error and stores nothing. Files are limited while they stream in:
the limit's upload handler must be installed before the body is parsed, so the view is
``csrf_exempt`` and applies ``csrf_protect`` itself once the handler is in place (Django's
"Modifying upload handlers on the fly"). The investor never sees a document's address or
content, only which sides were sent, their type and size.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from apps.common.errors import ApplicationError
from apps.kyc import selectors, services
from apps.kyc.uploads import upload_limit_install
from apps.portal.forms.kyc import KycSubmissionForm

TEMPLATE = "portal/kyc.html"


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def kyc(request: HttpRequest) -> HttpResponse:
    upload_limit_install(request)  # before anything reads request.POST or request.FILES
    return _kyc(request)


@csrf_protect
def _kyc(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_staff:
        return render(request, TEMPLATE, {"staff_account": True})
    form = None
    if request.method == "POST":
        form = KycSubmissionForm.for_user(user, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                services.kyc_submission_create(user=user, **form.service_arguments())
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Your documents were sent. We will tell you when they are reviewed."))
                return redirect("portal:kyc")
    history = list(selectors.kyc_submission_history(user=user))
    current = next((submission for submission in history if submission.is_current), None)
    context = {
        "current": current,
        "history": history,
        "form": form or KycSubmissionForm.for_user(user),
        "can_submit": selectors.kyc_submission_allowed(user=user, current=current),
    }
    return render(request, TEMPLATE, context)
