"""Cleaning free text typed by people before it is stored."""

import unicodedata


def single_line(value) -> str:
    """Runs of spaces and control characters become one space (PostgreSQL refuses NUL outright)."""
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in str(value or ""))
    return " ".join(text.split())


def multi_line(value) -> str:
    """Line breaks and tabs kept, every other control character dropped, ends trimmed; Windows
    and old Mac line ends become ``\\n``."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in text if char in "\n\t" or unicodedata.category(char) != "Cc").strip()
