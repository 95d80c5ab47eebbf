"""The staff API of the back office: ``admin/stats/``, the platform's figures."""
