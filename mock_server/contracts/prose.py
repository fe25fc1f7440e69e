"""What of a document's wording may enter a contract.

Titles and short one-line descriptions are kept; paragraphs stay in the documents.
"""

from __future__ import annotations

MAX_DESCRIPTION = 100
_EMPTY = {"", "(no description)", "undefined"}


def short_description(text: str | None) -> str | None:
    """The text when it is a short single line, otherwise None."""
    if text is None:
        return None
    text = text.strip()
    if text in _EMPTY or "\n" in text or len(text) > MAX_DESCRIPTION:
        return None
    return text


def camel_identifier(words: str) -> str:
    """`Get List of Properties` -> `getListOfProperties` (letters and digits only)."""
    parts = ["".join(ch for ch in word if ch.isalnum()) for word in words.replace("/", " ").replace("-", " ").split()]
    parts = [part for part in parts if part]
    if not parts:
        return "operation"
    head, *rest = parts
    return head[0].lower() + head[1:] + "".join(part[0].upper() + part[1:] for part in rest)
