"""Wallet API views: ``investor`` (the caller's own wallet) and ``staff`` (queues and reviews)."""
