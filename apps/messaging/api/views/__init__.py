"""Messaging API views: ``messages`` and ``admin`` (the original API), ``threads``,
``attachments``, ``tasks`` and ``notifications`` (Bursar additions)."""
