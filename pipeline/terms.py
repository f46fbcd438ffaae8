"""Words that differ by locale: {placeholders} in source texts, filled from a publisher's terms.

A source writes "{physio}"; the US profile fills in "physical therapist" and the UK one
"physiotherapist". "{Physio}" gives the same term with a capital first letter, for the start
of a sentence. Nothing here reads files: the model fills texts, validation reports names that
no profile defines.
"""

from __future__ import annotations

import re
from typing import Iterator, Mapping

# A placeholder is a name in braces; other braces are text like any other.
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


def term_for(name: str, terms: Mapping[str, str]) -> str | None:
    """The publisher's term for a placeholder name, capitalised when the name is."""
    if name in terms:
        return terms[name]
    lower = name[:1].lower() + name[1:]
    if name[:1].isupper() and lower in terms:
        value = terms[lower]
        return value[:1].upper() + value[1:]
    return None


def fill(text: str, terms: Mapping[str, str]) -> str:
    """The text with every placeholder that the terms define replaced by its term."""
    if "{" not in text:
        return text

    def replace(match: re.Match) -> str:
        value = term_for(match.group(1), terms)
        return match.group(0) if value is None else value

    return PLACEHOLDER.sub(replace, text)


def placeholders(text: str) -> Iterator[str]:
    """Every placeholder name in a text, in order."""
    for match in PLACEHOLDER.finditer(text):
        yield match.group(1)


def fill_data(value, terms: Mapping[str, str]):
    """Plain data (as loaded from YAML) with every text's placeholders filled."""
    if isinstance(value, str):
        return fill(value, terms)
    if isinstance(value, dict):
        return {key: fill_data(child, terms) for key, child in value.items()}
    if isinstance(value, list):
        return [fill_data(child, terms) for child in value]
    return value
