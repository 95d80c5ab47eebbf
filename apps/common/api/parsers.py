"""JSON in, with numbers read exactly.

A JSON number with a fraction or an exponent (``99.99``, ``1e2``) is parsed as a ``JsonNumber``:
a ``Decimal`` built from the number's own text, which it keeps, never a binary float. The amount
and rate fields read that text through the same parser as the string form, so ``99.99`` and
``"99.99"`` are the same amount and ``99.999`` or ``1e2`` are refused as they are in a string.
A key sent twice in one object (``{"amount": "10", "amount": "20"}``) is a 400: which one counts
would otherwise be the parser's choice, not the client's. A body nested too deeply for the parser is
a 400, not a crash.
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


def _object_without_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        duplicate = next(key for key, _value in pairs if key in seen or seen.add(key))
        raise ValueError(f"the key {duplicate!r} is sent twice")
    return result


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            reader = codecs.getreader(encoding)(stream)
            return json.load(
                reader,
                parse_float=JsonNumber,
                parse_constant=_refuse_constant,
                object_pairs_hook=_object_without_duplicate_keys,
            )
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
