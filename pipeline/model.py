"""The content model: immutable objects built from validated sources.

This is the only module that knows the YAML field names; renderers see these objects only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator, Mapping

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


# An item's clinical sign-off status, derived by pipeline/approvals.py from the approvals
# ledger and the content's fingerprint; never typed in a source.
APPROVED, CHANGED, OVERDUE, DRAFT = "approved", "changed", "overdue", "draft"
STATUSES = (APPROVED, CHANGED, OVERDUE, DRAFT)
DEFAULT_LOCALE = "en"


@dataclass(frozen=True)
class Approver:
    name: str
    credential: str


@dataclass(frozen=True)
class Review:
    """The editor's dates, typed in the source (clinical sign-off is in `Approval`)."""

    last_reviewed: dt.date  # when the content was last checked against its sources or revised
    next_review: dt.date  # when the editor next checks it; an approval sets its own date


@dataclass(frozen=True)
class Approval:
    """One clinical sign-off, as recorded in the approvals ledger."""

    version: int
    locale: str
    fingerprint: str
    reviewer: Approver
    date: dt.date
    next_review: dt.date


@dataclass(frozen=True)
class ApprovalState:
    """Where an item stands with clinical sign-off, as every format shows it."""

    status: str = DRAFT  # one of STATUSES
    # The latest approval recorded for this locale, whether or not it still covers the content.
    latest: Approval | None = None

    @property
    def is_approved(self) -> bool:
        return self.status == APPROVED

    @property
    def in_force(self) -> Approval | None:
        """The approval that covers the content as it is (an overdue one still does)."""
        return self.latest if self.status in (APPROVED, OVERDUE) else None

    @property
    def version(self) -> int:
        """The content's version: the approved one, or the next one while it is a draft."""
        if self.latest is None:
            return 1
        return self.latest.version if self.in_force else self.latest.version + 1


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
    reference: str  # the stable leaflet reference, e.g. "KP-DVT"
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
    approval: ApprovalState = ApprovalState()
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
    reference: str
    title: str
    summary: str
    sections: tuple[TopicSection, ...]
    related_conditions: tuple[str, ...]
    related_topics: tuple[str, ...]
    sources: tuple[Source, ...]
    review: Review
    approval: ApprovalState = ApprovalState()
    kind = "topic"


@dataclass(frozen=True)
class Chapter:
    kind: str  # "condition" or "topic"
    slug: str


@dataclass(frozen=True)
class Guide:
    slug: str
    reference: str
    title: str
    subtitle: str | None
    description: str
    introduction: tuple[str, ...]
    chapters: tuple[Chapter, ...]
    review: Review
    approval: ApprovalState = ApprovalState()
    kind = "guide"


@dataclass(frozen=True)
class Publisher:
    slug: str
    name: str
    sms_sender: str
    phone: str
    website: str  # ends with "/"
    locale: str
    emergency_number: str
    care_headings: Mapping[str, str]

    def page_url(self, slug: str) -> str:
        """The public address of a condition's or topic's web page."""
        return f"{self.website}html/{slug}.html"


@dataclass(frozen=True)
class Library:
    """Every validated source: the whole content model one build renders."""

    conditions: Mapping[str, Condition]
    topics: Mapping[str, Topic]
    guides: Mapping[str, Guide]
    publishers: Mapping[str, Publisher]
    # Conditions and topics by (kind, slug) that a release build leaves out because they are
    # not approved: pages that show one keep its title, without a link to a page not published.
    withheld: Mapping[tuple[str, str], "Condition | Topic"] = field(default_factory=FrozenMap)

    def item(self, kind: str, slug: str) -> "Condition | Topic":
        found = (self.conditions if kind == "condition" else self.topics).get(slug)
        return found if found is not None else self.withheld[(kind, slug)]

    def title_of(self, kind: str, slug: str) -> str:
        return self.item(kind, slug).title

    def is_withheld(self, kind: str, slug: str) -> bool:
        return (kind, slug) in self.withheld

    def related(self, item: "Condition | Topic") -> list[tuple[str, str, str]]:
        """(kind, slug, title) of every page `item` links to, conditions first.

        Templates render these links and fingerprints hash them: one list for both, so a
        renamed related page always rebuilds the pages that name it.
        """
        return [("condition", slug, self.title_of("condition", slug)) for slug in item.related_conditions] + [
            ("topic", slug, self.title_of("topic", slug)) for slug in item.related_topics
        ]


# --- building the model from plain, already validated data ---------------------------


def _texts(value) -> tuple[str, ...]:
    return tuple(value or ())


def _review(data: dict) -> Review:
    return Review(
        last_reviewed=dt.date.fromisoformat(data["last_reviewed"]),
        next_review=dt.date.fromisoformat(data["next_review"]),
    )


def _sources(items: list) -> tuple[Source, ...]:
    return tuple(Source(item["title"], item["author"], item.get("url")) for item in items)


def condition_from_data(data: dict) -> Condition:
    related = data.get("related") or {}
    care_by_level = {block["level"]: block for block in data["care"]}
    return Condition(
        slug=data["slug"],
        reference=data["reference"],
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
    )


def topic_from_data(data: dict) -> Topic:
    related = data.get("related") or {}
    return Topic(
        slug=data["slug"],
        reference=data["reference"],
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
    )


def guide_from_data(data: dict) -> Guide:
    return Guide(
        slug=data["slug"],
        reference=data["reference"],
        title=data["title"],
        subtitle=data.get("subtitle"),
        description=data["description"],
        introduction=_texts(data["introduction"]),
        chapters=tuple(Chapter(*next(iter(ch.items()))) for ch in data["chapters"]),
        review=_review(data["review"]),
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
    )


BUILDERS = {
    "conditions": condition_from_data,
    "topics": topic_from_data,
    "guides": guide_from_data,
    "publishers": publisher_from_data,
}


def frozen_mapping(items: dict) -> Mapping:
    return FrozenMap(items)
