"""Investor portal pages, one module per area: ``accounts`` (sign-up, login, profile, …) and
``wallet`` (balances, deposits, withdrawals, statement)."""
