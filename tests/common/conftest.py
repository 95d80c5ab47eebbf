"""Fixtures of tests/common: ``logs``, the lines a test made loggers write, as production's JSON objects."""

import json
import logging

import pytest

from apps.common.logging import formatter_build

JSON = formatter_build(log_format="json")


class LineCollector(logging.Handler):
    """A handler like production's console one (JSON formatter, formatting at the time of the
    call, so a standard-library line gets the logging context of that moment), keeping lines."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JSON)
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def logs(caplog):
    """Every line any logger writes from DEBUG up, as the JSON objects production writes."""
    caplog.set_level(logging.DEBUG)
    collector = LineCollector()
    logging.getLogger().addHandler(collector)

    def lines(logger: str | None = None) -> list[dict]:
        return [line for line in collector.lines if logger is None or line["logger"] == logger]

    yield lines
    logging.getLogger().removeHandler(collector)
