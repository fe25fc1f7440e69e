"""The Afosto reference as lines, with its JSON samples decoded where they start."""

from __future__ import annotations

import json
from bisect import bisect_right
from typing import Any


class Lines:
    """The document's lines; JSON samples are decoded where they start."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.offsets: list[int] = []
        offset = 0
        for line in self.lines:
            self.offsets.append(offset)
            offset += len(line) + 1

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def json_at(self, index: int) -> tuple[Any, int]:
        """The JSON value starting at line ``index`` and the index of the line after it."""
        try:
            value, end = json.JSONDecoder().raw_decode(self.text, self.offsets[index])
        except (json.JSONDecodeError, IndexError) as error:
            raise ValueError(f"line {index + 1}: the sample is not JSON") from error
        last = bisect_right(self.offsets, end - 1) - 1
        if self.text[end : self.offsets[last] + len(self.lines[last])].strip():
            raise ValueError(f"line {last + 1}: text follows the sample on its line")
        return value, last + 1

    def skip_blank(self, index: int) -> int:
        while index < len(self.lines) and not self.lines[index].strip():
            index += 1
        return index

    def previous_filled(self, index: int) -> int:
        index -= 1
        while index >= 0 and not self.lines[index].strip():
            index -= 1
        return index

    def first(self, wanted: str) -> int | None:
        for index in range(len(self.lines)):
            if self.lines[index] == wanted:
                return index
        return None

