"""Staff reports that belong to no one app: the daily close (``selectors`` reads it, ``figures``
flattens it for the page and the CSV, ``views`` serves both under ``/admin/reports/``)."""
