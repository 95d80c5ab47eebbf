"""JSON in, with numbers read exactly.

A JSON number with a fraction or an exponent (``99.99``, ``1e2``) is parsed as a ``JsonNumber``:
a ``Decimal`` built from the number's own text, which it keeps, never a binary float. The amount
and rate fields read that text through the same parser as the string form, so ``99.99`` and
``"99.99"`` are the same amount and ``99.999`` or ``1e2`` are refused as they are in a string.
A body nested too deeply for the parser is a 400, not a crash.
"""

import codecs
import json
from decimal import Decimal

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JsonNumber(Decimal):
    """A JSON number as written: a ``Decimal`` that remembers its text."""

    __slots__ = ("text",)

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.text = text
        return number


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            reader = codecs.getreader(encoding)(stream)
            return json.load(reader, parse_float=JsonNumber, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
