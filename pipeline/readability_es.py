"""Plain-language measures for Spanish: syllables by the rules of Spanish spelling, and the
Fernández-Huerta and Szigriszt-Pazos (INFLESZ) reading-ease scores.

Spanish is spelled as it is spoken, so syllables can be counted from the letters. Each
syllable has one vowel nucleus; adjacent vowels share one when they form a diphthong or
triphthong, and split when they form a hiatus:

- a, e, o are strong vowels; i, u (and ü) are weak; an accent on i or u (í, ú) makes it
  strong, which is how Spanish marks a hiatus (dí-a, ba-úl, re-ír).
- Two strong vowels never share a syllable (le-er, po-e-ta, a-é-re-o).
- A weak vowel joins its neighbours (a-gua, ciu-dad, buey): a run of vowels has one
  syllable per strong vowel, or one if it has none.
- y is a vowel at the end of a word after a vowel (muy, hoy, Uruguay) and as the word "y";
  elsewhere it is a consonant (ma-yo, yo).
- The u of gue, gui, que, qui is silent, and the run rule counts it right (gui-ta-rra).
- h is written between vowels but is silent; counting it as a consonant gives the
  syllables of the spelling (pro-hi-bir, a-hí), which is what the formulas were made with.

textstat counts Spanish syllables by hyphenation and undercounts (agua 1, emergencia 3), so
its scores run about 8 points easy; this counter is checked against words counted by hand.
"""

from __future__ import annotations

import re
from functools import lru_cache

STRONG = set("aeoáéóíúàèòìù")
WEAK = set("iuü")
VOWELS = STRONG | WEAK
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*")
# A new sentence starts after . ! ? (or a closing quote or bracket) and a space, at a capital,
# a digit, an opening quote or bracket, or Spanish's opening ¿ and ¡.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'»”)]))\s+(?=[\"'«“(¿¡0-9A-ZÁÉÍÓÚÑÜ])")

# Fernández-Huerta (1959) as corrected by Law (2011): words per sentence, not sentences per
# 100 words. Its scale: 90+ very easy, 80 easy, 70 fairly easy, 60 standard, 50 fairly difficult.
EASE_SCALE = ((90, "very easy"), (80, "easy"), (70, "fairly easy"), (60, "standard"),
              (50, "fairly difficult"), (30, "difficult"), (float("-inf"), "very difficult"))
# INFLESZ scale (Barrio-Cantalejo 2008) for the Szigriszt-Pazos score.
INFLESZ_SCALE = ((80, "very easy"), (65, "fairly easy"), (55, "normal"), (40, "somewhat difficult"),
                 (float("-inf"), "very difficult"))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    """Sentences in a text; a list item without a full stop counts as one sentence."""
    parts = [part.strip() for part in _SENTENCE_END.split(text.strip())]
    return [part for part in parts if part]


def _letters(word: str) -> str:
    """The word in lower case with y marked as a vowel ('i') where it sounds as one."""
    word = word.lower()
    out = []
    for index, char in enumerate(word):
        if char == "y":
            after = word[index + 1] if index + 1 < len(word) else ""
            before = word[index - 1] if index else ""
            vowel_sound = after not in VOWELS and (before in VOWELS or len(word) == 1)
            out.append("i" if vowel_sound else "y")
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=20000)
def syllables(word: str) -> int:
    """Syllables in one Spanish word (at least 1)."""
    if word[:1].isdigit():
        # Numbers are read out: about two syllables a digit ("nueve-uno-uno" for 911).
        return max(2 * sum(ch.isdigit() for ch in word), 1)
    count = 0
    for run in re.findall(r"[aeiouáéíóúàèìòùü]+", _letters(word)):
        count += max(sum(char in STRONG for char in run), 1)
    return max(count, 1)


def _averages(text_sentences: list[str]) -> tuple[float, float] | None:
    all_words = [w for s in text_sentences for w in words(s)]
    counted = [s for s in text_sentences if words(s)]
    if not all_words:
        return None
    return len(all_words) / len(counted), sum(syllables(w) for w in all_words) / len(all_words)


def fernandez_huerta(text_sentences: list[str]) -> float:
    """Fernández-Huerta reading ease: 206.84 - 60 x syllables per word - 1.02 x words per
    sentence (100 for no words: nothing to read is not hard to read)."""
    averages = _averages(text_sentences)
    if averages is None:
        return 100.0
    per_sentence, per_word = averages
    return 206.84 - 60 * per_word - 1.02 * per_sentence


def szigriszt_pazos(text_sentences: list[str]) -> float:
    """Szigriszt-Pazos perspicuity, read on the INFLESZ scale: 206.835 - 62.3 x syllables per
    word - words per sentence."""
    averages = _averages(text_sentences)
    if averages is None:
        return 100.0
    per_sentence, per_word = averages
    return 206.835 - 62.3 * per_word - per_sentence


def describe(score: float, scale=EASE_SCALE) -> str:
    return next(name for floor, name in scale if score >= floor)
