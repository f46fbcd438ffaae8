"""Clinical safety lint rules: help fast, dangerous look-alikes, text messages, locale words.

A handout that leaves out a warning sign can keep someone at home who needs help now.
These rules check what a schema cannot: across files (a look-alike's red flags), across
formats (the text message against the leaflet) and across locales (the words each
publisher's readers see).
"""

from __future__ import annotations

import re
from typing import Iterator

from .diagnostics import Diagnostic
from .lint import LintContext, all_texts, rule
from .loading import Document
from .red_flags import block_flags, care_levels

# A deferral in a text message tells the reader to wait; where the leaflet says to get help
# today or now, any of these is a milder action than the leaflet's.
DEFERRING_PHRASES = (
    "if it lasts", "if it persists", "if it keeps", "if it does not get better", "if it doesn't get better",
    "if it does not improve", "if it doesn't improve", "if it gets worse", "if the pain continues",
    "wait and see", "in a few days", "when you can",
)
URGENT_WORDS = re.compile(r"\b(today|now)\b", re.I)
LOOK_ALIKE_LEVELS = ("emergency", "urgent")
# What a release build refuses as well as drafts and overdue reviews.
RELEASE_RULES = ("safety-net", "look-alike", "sms-emergency-line", "sms-milder-action", "locale-words")


# These rules judge a source's structure and its English wording; a translation has the same
# structure, and Spanish phrase lists and word lists are still to come (see I18N notes).
@rule("safety-net", translations=False)
def safety_net(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    """Every condition tells the reader when to get help fast, not only when to see someone."""
    if kind != "conditions":
        return
    if not {"emergency", "urgent"} & set(care_levels(doc)):
        yield doc.diagnostic("/care", "a condition needs an urgent or emergency care block, so that every "
                                      "reader learns which signs need help fast", rule="safety-net")


@rule("look-alike", translations=False)
def look_alike(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    """A condition that can be mistaken for a dangerous one carries its red flags and links to it."""
    if kind != "conditions":
        return
    conditions = ctx.documents.get("conditions", {})
    related = (doc.data.get("related") or {}).get("conditions") or []
    for index, slug in enumerate(doc.data.get("may_be_mistaken_for") or []):
        other = conditions.get(slug)
        if other is None:
            continue  # validation reports an unknown slug
        missing = [f"'{flag}' ({level})" for level in LOOK_ALIKE_LEVELS for flag in block_flags(other, level)
                   if flag not in block_flags(doc, level)]
        if missing:
            yield doc.diagnostic(f"/may_be_mistaken_for/{index}",
                                 f"this condition can be mistaken for '{slug}' but does not carry its red "
                                 f"flag{'s' if len(missing) > 1 else ''} {', '.join(missing)}; add "
                                 f"{'them' if len(missing) > 1 else 'it'} to the care block of the same level",
                                 rule="look-alike")
        if slug not in related:
            yield doc.diagnostic(f"/may_be_mistaken_for/{index}",
                                 f"this condition can be mistaken for '{slug}' but does not link to it; add "
                                 f"'{slug}' under related: conditions", rule="look-alike")


def _sms(doc: Document) -> dict:
    sms = doc.data.get("sms")
    return sms if isinstance(sms, dict) else {}


@rule("sms-emergency-line", translations=False)
def sms_emergency_line(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    """A leaflet with an emergency block gives a text message with the emergency line."""
    if kind != "conditions" or "emergency" not in care_levels(doc) or _sms(doc).get("red_flag"):
        return
    choices = block_flags(doc, "emergency")
    hint = (f"name one of its emergency red flags: {', '.join(choices)}" if choices
            else "add a shared emergency red flag to the emergency block and name it")
    yield doc.diagnostic("/sms", "the leaflet has an emergency care block, so the text message must carry "
                                 f"the emergency line: add 'red_flag' to sms and {hint}", rule="sms-emergency-line")


@rule("sms-milder-action", translations=False)
def sms_milder_action(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    """A text message never tells the reader to wait where the leaflet says to act today or now."""
    if kind != "conditions":
        return
    message = _sms(doc).get("message")
    if not isinstance(message, str):
        return
    levels = set(care_levels(doc))
    if not levels & {"emergency", "urgent"}:
        return
    lowered = message.lower()
    softer = [phrase for phrase in DEFERRING_PHRASES if phrase in lowered]
    if softer:
        yield doc.diagnostic("/sms/message", f"the message says '{softer[0]}', a milder action than the leaflet, "
                                             "which lists signs that need help today or now",
                             rule="sms-milder-action")
    if "urgent" in levels and "emergency" not in levels and not URGENT_WORDS.search(message):
        yield doc.diagnostic("/sms/message", "the leaflet's most serious advice is to get help today, so the "
                                             "message must say so too ('today' or 'now')", rule="sms-milder-action")


def _word_pattern(word: str) -> re.Pattern:
    # GP and A&E are words only in capitals ("gp" is nothing); other entries ignore case.
    flags = 0 if word.isupper() else re.I
    return re.compile(rf"(?<![\w&-]){re.escape(word)}(?![\w&-])", flags)


@rule("locale-words", translations=False)
def locale_words(doc: Document, kind: str, ctx: LintContext) -> Iterator[Diagnostic]:
    """No word in a publisher's build that is wrong for its locale (tea towel in a US handout)."""
    publisher = ctx.publisher
    if not publisher or not isinstance(publisher.get("locale"), str):
        return
    if kind == "publishers" and doc.data.get("slug") != publisher.get("slug"):
        return  # a profile's own words are only ever shown in its own builds
    locale = publisher["locale"]
    word_list = ctx.documents.get("words", {}).get(locale)
    if word_list is None:
        return
    entries = [(entry["word"], entry["instead"], _word_pattern(entry["word"])) for entry in word_list.data["words"]]
    for pointer, text in all_texts(doc):
        for word, instead, pattern in entries:
            if pattern.search(text):
                yield doc.diagnostic(pointer, f"'{word}' is not {locale} usage, and this text is published by "
                                              f"'{publisher.get('slug')}' ({locale}); write {instead}",
                                     rule="locale-words")
