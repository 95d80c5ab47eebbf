"""The users admin as the back office shows it: an investor's page is their Investor 360
(``investor360.py``) with a statement tab (``statement.py``). Accounts' own ``UserAdmin`` cannot
show them (money is the wallet's, above accounts); ``admin.py`` composes the two and
``apps.backoffice.admin`` registers the result in its place."""
