"""The end of an unfold dialog action that calls a service: a refusal about a field of the dialog
goes back into the dialog as that field's error; any other refusal (already reviewed, own
request, budget spent…) is a message; success is a message too. Then the page the dialog was
opened from reloads (htmx ``HX-Redirect``)."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.common.errors import ApplicationError


def dialog_service_call(
    model_admin,
    request: HttpRequest,
    *,
    form,
    dialog: dict,
    call: Callable[[], object],
    done: str | Callable[[object], str],
    redirect_url: str,
) -> HttpResponse:
    try:
        result = call()
    except ApplicationError as error:
        field_errors = {name: errors for name, errors in error.field_errors.items() if name in form.fields}
        if field_errors:
            for name, errors in field_errors.items():
                for message in errors:
                    form.add_error(name, message)
            context = {"dialog": dialog, "form": form, "form_submit_text": dialog["form_submit_text"]}
            return render(request, "unfold/helpers/dialog.html", context)
        model_admin.message_user(request, error.message, messages.ERROR)
    else:
        model_admin.message_user(request, done(result) if callable(done) else done, messages.SUCCESS)
    return HttpResponse(headers={"HX-Redirect": redirect_url})
