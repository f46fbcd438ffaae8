"""The content model: immutable objects built from validated sources.

This is the only module that knows the YAML field names; renderers see these objects only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator, Mapping

from .locales import output_prefix

CARE_LEVELS = ("emergency", "urgent", "routine")


class FrozenMap(Mapping):
    """A read-only mapping that, unlike MappingProxyType, can be pickled to worker processes."""

    __slots__ = ("_items",)

    def __init__(self, items=()):
        object.__setattr__(self, "_items", dict(items))

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self):
        return (FrozenMap, (self._items,))
# The publisher profile used when none is named (sources/publishers/us-default.yaml).
DEFAULT_PUBLISHER = "us-default"


@dataclass(frozen=True)
class Approver:
    name: str
    credential: str


@dataclass(frozen=True)
class Review:
    status: str  # "draft" or "approved"
    last_reviewed: dt.date
    next_review: dt.date
    approved_by: Approver | None = None
    approved_on: dt.date | None = None

    @property
    def is_draft(self) -> bool:
        return self.status != "approved"


@dataclass(frozen=True)
class Translation:
    """The language an item's text is in, when it is not the English of the sources."""

    locale: str  # for example "es-US"
    # JSON Pointers of values still in English: only in a preview built with --allow-partial,
    # which must show a visible banner (see `partial`); a normal build never mixes languages.
    untranslated: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return bool(self.untranslated)


@dataclass(frozen=True)
class Source:
    title: str
    author: str
    url: str | None = None


@dataclass(frozen=True)
class Treatment:
    name: str
    description: str


@dataclass(frozen=True)
class MedicalTest:
    name: str
    purpose: str


@dataclass(frozen=True)
class CareBlock:
    level: str  # one of CARE_LEVELS
    signs: tuple[str, ...]


@dataclass(frozen=True)
class SmsText:
    message: str
    emergency_sign: str | None = None


@dataclass(frozen=True)
class Condition:
    slug: str
    title: str
    medical_name: str
    summary: str
    what_it_is: tuple[str, ...]
    symptoms: tuple[str, ...]
    causes: tuple[str, ...]
    risk_factors: tuple[str, ...]
    self_care_intro: str | None
    self_care_steps: tuple[str, ...]
    treatments: tuple[Treatment, ...]
    care: tuple[CareBlock, ...]
    tests: tuple[MedicalTest, ...]
    related_conditions: tuple[str, ...]
    related_topics: tuple[str, ...]
    sms: SmsText
    sources: tuple[Source, ...]
    review: Review
    translation: Translation | None = None  # None: the English of the sources
    kind = "condition"

    def care_block(self, level: str) -> CareBlock | None:
        return next((block for block in self.care if block.level == level), None)


@dataclass(frozen=True)
class TopicSection:
    heading: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...]
    numbered: bool


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    summary: str
    sections: tuple[TopicSection, ...]
    related_conditions: tuple[str, ...]
    related_topics: tuple[str, ...]
    sources: tuple[Source, ...]
    review: Review
    translation: Translation | None = None
    kind = "topic"


@dataclass(frozen=True)
class Chapter:
    kind: str  # "condition" or "topic"
    slug: str


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    subtitle: str | None
    description: str
    introduction: tuple[str, ...]
    chapters: tuple[Chapter, ...]
    review: Review
    translation: Translation | None = None


@dataclass(frozen=True)
class Publisher:
    slug: str
    name: str
    sms_sender: str
    phone: str
    website: str  # ends with "/"
    locale: str  # the primary locale: its outputs keep the usual paths
    emergency_number: str
    care_headings: Mapping[str, str]
    # Every locale published, the primary first; each other one in its own folder.
    locales: tuple[str, ...] = ()
    # Most SMS segments a message may take, per locale (1 where not given).
    sms_budget: Mapping[str, int] = field(default_factory=FrozenMap)

    def page_url(self, slug: str, locale: str | None = None) -> str:
        """The public address of a condition's or topic's web page in one of the locales."""
        return f"{self.website}{output_prefix(locale or self.locale, self.locale)}html/{slug}.html"

    def segment_budget(self, locale: str) -> int:
        return self.sms_budget.get(locale, 1)


@dataclass(frozen=True)
class Wording:
    """The interface strings of one locale: the fixed wording around the content.

    Keys and English are written where the wording is used, marked with pgettext (see
    interface.py); `translations` maps each key to its translation. The English locales
    have none and read the English as written.
    """

    locale: str | None = None  # None: the English written in the code and templates
    translations: Mapping[str, str] = field(default_factory=FrozenMap)
    # Keys still in English: only in a preview built with --allow-partial (see Translation).
    untranslated: tuple[str, ...] = ()

    def pgettext(self, key: str, english: str) -> str:
        return self.translations.get(key, english) if self.locale else english


@dataclass(frozen=True)
class Library:
    """Every validated source: the whole content model one build renders."""

    conditions: Mapping[str, Condition]
    topics: Mapping[str, Topic]
    guides: Mapping[str, Guide]
    publishers: Mapping[str, Publisher]
    wording: Wording = field(default_factory=Wording)

    def title_of(self, kind: str, slug: str) -> str:
        return (self.conditions if kind == "condition" else self.topics)[slug].title

    def related(self, item: "Condition | Topic") -> list[tuple[str, str, str]]:
        """(kind, slug, title) of every page `item` links to, conditions first.

        Templates render these links and fingerprints hash them: one list for both, so a
        renamed related page always rebuilds the pages that name it.
        """
        return [("condition", slug, self.conditions[slug].title) for slug in item.related_conditions] + [
            ("topic", slug, self.topics[slug].title) for slug in item.related_topics
        ]


# --- building the model from plain, already validated data ---------------------------


def _texts(value) -> tuple[str, ...]:
    return tuple(value or ())


def _review(data: dict) -> Review:
    approver = data.get("approved_by")
    return Review(
        status=data["status"],
        last_reviewed=dt.date.fromisoformat(data["last_reviewed"]),
        next_review=dt.date.fromisoformat(data["next_review"]),
        approved_by=Approver(approver["name"], approver["credential"]) if approver else None,
        approved_on=dt.date.fromisoformat(data["approved_on"]) if data.get("approved_on") else None,
    )


def _sources(items: list) -> tuple[Source, ...]:
    return tuple(Source(item["title"], item["author"], item.get("url")) for item in items)


def condition_from_data(data: dict, translation: Translation | None = None) -> Condition:
    related = data.get("related") or {}
    care_by_level = {block["level"]: block for block in data["care"]}
    return Condition(
        slug=data["slug"],
        title=data["title"],
        medical_name=data["medical_name"],
        summary=data["summary"],
        what_it_is=_texts(data["what_it_is"]),
        symptoms=_texts(data["symptoms"]),
        causes=_texts(data["causes"]),
        risk_factors=_texts(data["risk_factors"]),
        self_care_intro=data["self_care"].get("intro"),
        self_care_steps=_texts(data["self_care"]["steps"]),
        treatments=tuple(Treatment(t["name"], t["description"]) for t in data["treatments"]),
        care=tuple(
            CareBlock(level, _texts(care_by_level[level]["signs"]))
            for level in CARE_LEVELS if level in care_by_level
        ),
        tests=tuple(MedicalTest(t["name"], t["purpose"]) for t in data["tests"]),
        related_conditions=_texts(related.get("conditions")),
        related_topics=_texts(related.get("topics")),
        sms=SmsText(data["sms"]["message"], data["sms"].get("emergency_sign")),
        sources=_sources(data["sources"]),
        review=_review(data["review"]),
        translation=translation,
    )


def topic_from_data(data: dict, translation: Translation | None = None) -> Topic:
    related = data.get("related") or {}
    return Topic(
        slug=data["slug"],
        title=data["title"],
        summary=data["summary"],
        sections=tuple(
            TopicSection(s["heading"], _texts(s.get("paragraphs")), _texts(s.get("items")),
                         bool(s.get("numbered", False)))
            for s in data["sections"]
        ),
        related_conditions=_texts(related.get("conditions")),
        related_topics=_texts(related.get("topics")),
        sources=_sources(data["sources"]),
        review=_review(data["review"]),
        translation=translation,
    )


def guide_from_data(data: dict, translation: Translation | None = None) -> Guide:
    return Guide(
        slug=data["slug"],
        title=data["title"],
        subtitle=data.get("subtitle"),
        description=data["description"],
        introduction=_texts(data["introduction"]),
        chapters=tuple(Chapter(*next(iter(ch.items()))) for ch in data["chapters"]),
        review=_review(data["review"]),
        translation=translation,
    )


def publisher_from_data(data: dict) -> Publisher:
    return Publisher(
        slug=data["slug"],
        name=data["name"],
        sms_sender=data["sms_sender"],
        phone=data["phone"],
        website=data["website"],
        locale=data["locale"],
        emergency_number=data["emergency_number"],
        care_headings=FrozenMap(data["care_headings"]),
        locales=tuple(data.get("locales") or [data["locale"]]),
        sms_budget=FrozenMap(data.get("sms_budget") or {}),
    )


BUILDERS = {
    "conditions": condition_from_data,
    "topics": topic_from_data,
    "guides": guide_from_data,
    "publishers": publisher_from_data,
}


def frozen_mapping(items: dict) -> Mapping:
    return FrozenMap(items)
