"""English word forms: a plural's singular, and the forms an action's verb takes."""

from __future__ import annotations


def singular(word: str) -> str:
    """`proxies` -> `proxy`, `batches` -> `batch`, `addresses` -> `address`, `contacts` -> `contact`."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def word_forms(word: str) -> set[str]:
    """The forms a verb may take in a field or a state's name: `cancel` -> `cancelled`,
    `canceled`, `cancelling`, ...; `confirm` -> `confirmed`, ..."""
    stem = word[:-1] if word.endswith("e") else word
    return {word, word + "ed", word + "d", stem + "ed", word + "led", word + "ing", stem + "ing", word[:-1] + "ied"}
