"""The statement tab of the users admin: an investor's ledger postings with running balances, for
staff who may see the ledger."""

from django.http import HttpRequest

from apps.wallet.admin.statement import UserStatementDataset


class UserMoneyMixin:
    """Mixed into the users admin (``apps.backoffice.users.admin``): the statement tab on an
    investor's page (their balances are in the 360's header, ``investor360.py``)."""

    def get_changeform_datasets(self, request: HttpRequest) -> list:
        """The statement tab, on an investor's change page."""
        object_id = (request.resolver_match.kwargs if request.resolver_match else {}).get("object_id")
        if not object_id or not request.user.has_perm("wallet.view_posting"):
            return []
        user = self._detail_target(request, object_id)
        return [UserStatementDataset] if user is not None and not user.is_staff else []
