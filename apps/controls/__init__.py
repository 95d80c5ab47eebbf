"""Platform controls: runtime settings edited by staff (django-constance) with their change log,
and maintenance mode."""
