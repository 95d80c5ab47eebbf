"""The ``logs`` fixture (tests/common/conftest.py) for the job log tests."""

from tests.common.conftest import logs  # noqa: F401
