"""Investments API views: ``investor`` (plans on offer, the caller's investments) and ``staff``."""
