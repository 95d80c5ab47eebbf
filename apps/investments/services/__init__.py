"""Every write on investments: plans (with their history) and positions."""
