"""Strings django-unfold shows on staff pages but ships no Arabic for: named here so that
``makemessages`` puts them in our catalogue, whose translations win over unfold's."""

from django.utils.translation import gettext_noop

UNFOLD_STRINGS = (
    gettext_noop("General"),  # the first tab of a change form with tabs (the Investor 360)
    gettext_noop("All applications"),  # the sidebar's link to every admin model
    gettext_noop("Return to site"),  # the sign-in and two-factor pages
    gettext_noop("Select record"),  # a row's checkbox label in a list at phone width
    gettext_noop("Select all rows"),  # the list's select-all checkbox at phone width
)
