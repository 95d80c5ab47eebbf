"""The staff API of the back office: ``admin/stats/``, the platform's figures, and ``admin/users/``,
the users with their balances (``users.py``)."""
