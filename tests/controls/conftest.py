"""Staff holding one role each (the back office's fixtures)."""

from tests.backoffice.conftest import finance, operations, support  # noqa: F401
