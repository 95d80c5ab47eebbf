"""Admin building blocks every app's admin uses (no app's models here): the shared ModelAdmin
(``changelist``), CSV exports (``exports``), the date-range filter (``filters``) and the end of a
dialog action (``dialogs``). The back office (``apps.backoffice``) composes the site from them."""
