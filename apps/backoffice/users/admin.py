from apps.accounts.admin.users import UserAdmin
from apps.backoffice.users.investor360 import Investor360Mixin
from apps.backoffice.users.statement import UserMoneyMixin


class InvestorUserAdmin(Investor360Mixin, UserMoneyMixin, UserAdmin):
    """Accounts' users admin, with an investor's change page as their 360 and a statement tab.
    Registered for ``User`` by ``apps.backoffice.admin`` (the URLs stay ``admin:accounts_user_*``)."""
