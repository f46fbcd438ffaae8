"""The content model: immutable objects built from validated sources.

This is the only module that knows the YAML field names; renderers see these objects only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Iterator, Mapping

from .locales import output_prefix
from .terms import fill

CARE_LEVELS = ("emergency", "urgent", "routine")
# The DCB0129 scales, least to most, and the risk each pair gives (rows: likelihood from very
# low to very high; columns: severity from minor to catastrophic), as in NHS England's
# clinical risk management guidance. The hazard log's risks are checked against this table.
SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOODS = ("very low", "low", "medium", "high", "very high")
RISK_MATRIX = (
    (1, 1, 2, 2, 3),
    (1, 2, 2, 3, 4),
    (2, 2, 3, 3, 4),
    (2, 3, 3, 4, 5),
    (3, 4, 4, 5, 5),
)
RISK_NAMES = {1: "very low", 2: "low", 3: "medium", 4: "high", 5: "very high"}
RISK_ACCEPTANCE = {
    1: "acceptable",
    2: "acceptable where further reduction costs more than it gains",
    3: "undesirable: accepted only with the clinical safety officer's agreement",
    4: "unacceptable",
    5: "unacceptable",
}


def risk_of(severity: str, likelihood: str) -> int:
    """The risk (1 to 5) of a severity and a likelihood, from the DCB0129 matrix."""
    return RISK_MATRIX[LIKELIHOODS.index(likelihood)][SEVERITIES.index(severity)]


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


class InEnglish(str):
    """A text left in the English of the sources where its translation is missing: only in a
    preview built with --allow-partial. It is a str like any text; renderers that can say the
    language of a part of a page mark it with `lang` (WCAG 3.1.2), so that a screen reader
    reads it as English inside the Spanish page, and hyphenation follows English rules."""

    lang: str  # the English it is in, as a BCP 47 tag: the publisher's primary locale ("en-US")

    def __new__(cls, text: str, lang: str) -> "InEnglish":
        value = super().__new__(cls, text)
        value.lang = lang
        return value

    def __reduce__(self):
        # Worker processes get the model by pickle: the mark and its language go with it.
        return (InEnglish, (str(self), self.lang))

    def __repr__(self) -> str:
        # Fingerprints are reprs of the model: a marked text is not the same input as a plain one.
        return f"InEnglish({str.__repr__(self)}, {self.lang!r})"


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
class Basis:
    """Where a red flag's advice comes from: a public guidance page, or one of the seed articles."""

    publisher: str | None = None
    title: str | None = None
    url: str | None = None
    consulted: dt.date | None = None
    seed: str | None = None


@dataclass(frozen=True)
class RedFlag:
    """A warning sign defined once (sources/red-flags/) and shown by every condition that names it."""

    id: str
    level: str  # one of CARE_LEVELS
    text: str  # completes the care heading "... if:"
    sms: str  # the short wording for text messages, as written (lower case first)
    basis: tuple[Basis, ...]

    @property
    def sms_sign(self) -> str:
        """The text message wording as it opens a question: "Chest pain? Call ..."."""
        return self.sms[:1].upper() + self.sms[1:]


@dataclass(frozen=True)
class CareBlock:
    level: str  # one of CARE_LEVELS
    # What the reader sees: the shared red flags' texts, then the condition's own signs.
    signs: tuple[str, ...]
    # The ids of the shared red flags among them, for lint, review and the SMS.
    red_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SmsText:
    message: str
    # The emergency red flag's text message wording, capitalised ("Chest pain or ...").
    emergency_sign: str | None = None
    red_flag: str | None = None  # that flag's id


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
    # Where it hurts: a key of body_map.LOCATIONS (the schema's enum), drawn in every format.
    body_location: str
    # "Questions to ask your doctor": 3 to 5 plain questions.
    questions: tuple[str, ...]
    sms: SmsText
    sources: tuple[Source, ...]
    review: Review
    # Dangerous conditions this one can be mistaken for (calf strain -> blood clot).
    may_be_mistaken_for: tuple[str, ...] = ()
    approval: ApprovalState = ApprovalState()
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
    reference: str
    title: str
    summary: str
    sections: tuple[TopicSection, ...]
    related_conditions: tuple[str, ...]
    related_topics: tuple[str, ...]
    sources: tuple[Source, ...]
    review: Review
    approval: ApprovalState = ApprovalState()
    translation: Translation | None = None
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
    translation: Translation | None = None
    kind = "guide"


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
    # The paper the publisher's clinics print on: "a4" or "letter" (offered first).
    paper_size: str
    # How a reader tells the publisher what they think of a handout.
    feedback: str
    # Lines naming the clinic that hands the leaflet out; empty leaves lines to fill in.
    clinic_contact: tuple[str, ...]
    # Words that differ by locale, filled into source texts' {placeholders}.
    terms: Mapping[str, str] = field(default_factory=FrozenMap)
    # Every locale published, the primary first; each other one in its own folder.
    locales: tuple[str, ...] = ()
    # Most SMS segments a message may take, per locale (1 where not given).
    sms_budget: Mapping[str, int] = field(default_factory=FrozenMap)

    def page_url(self, slug: str, locale: str | None = None) -> str:
        """The public address of a condition's or topic's web page in one of the locales."""
        return f"{self.website}{output_prefix(locale or self.locale, self.locale)}html/{slug}.html"

    def short_page_url(self, slug: str, locale: str | None = None) -> str:
        """The same address as a reader types it from paper: no scheme, no "www."."""
        return _short_address(self.page_url(slug, locale))

    @property
    def short_website(self) -> str:
        return _short_address(self.website).rstrip("/")

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


def _short_address(url: str) -> str:
    address = url.split("://", 1)[-1]
    return address[4:] if address.startswith("www.") else address


@dataclass(frozen=True)
class Risk:
    severity: str  # one of SEVERITIES
    likelihood: str  # one of LIKELIHOODS

    @property
    def rating(self) -> int:
        return risk_of(self.severity, self.likelihood)

    @property
    def name(self) -> str:
        return RISK_NAMES[self.rating]

    @property
    def acceptance(self) -> str:
        return RISK_ACCEPTANCE[self.rating]


@dataclass(frozen=True)
class Control:
    """Something that exists in the project and reduces a hazard's risk."""

    kind: str  # "lint_rule", "test", "red_flag" or "schema"
    target: str  # the rule id, test node id, red flag id or schema pointer
    note: str | None = None


@dataclass(frozen=True)
class Hazard:
    id: str
    title: str
    description: str
    cause: str
    effect: str
    initial: Risk
    controls: tuple[Control, ...]
    residual: Risk


@dataclass(frozen=True)
class HazardLog:
    """The clinical hazard log, in the style of DCB0129."""

    title: str
    system: str
    owner: str
    last_reviewed: dt.date
    hazards: tuple[Hazard, ...]


@dataclass(frozen=True)
class Library:
    """Every validated source: the whole content model one build renders."""

    conditions: Mapping[str, Condition]
    topics: Mapping[str, Topic]
    guides: Mapping[str, Guide]
    publishers: Mapping[str, Publisher]
    red_flags: Mapping[str, RedFlag] = field(default_factory=FrozenMap)
    hazard_log: HazardLog | None = None
    # The interface strings of the library's locale (the English as written, by default).
    wording: Wording = field(default_factory=Wording)
    # The publisher whose terms fill the texts' {placeholders}; None while they are unfilled.
    terms_of: str | None = None
    # Conditions and topics by (kind, slug) that a release build leaves out because they are
    # not approved: pages that show one keep its title, without a link to a page not published.
    withheld: Mapping[tuple[str, str], "Condition | Topic"] = field(default_factory=FrozenMap)
    # The library before filling, so that filling for another publisher starts from the sources.
    unfilled: "Library | None" = field(default=None, repr=False, compare=False)

    def for_publisher(self, publisher: Publisher) -> "Library":
        """The same library with every {placeholder} filled from the publisher's terms.

        Renderers and lint rules only ever see filled text, so no format has to know
        that a word differs by locale.
        """
        if self.terms_of == publisher.slug:
            return self
        source = self.unfilled or self
        terms = dict(publisher.terms)
        return replace(
            source,
            conditions=fill_terms(source.conditions, terms),
            topics=fill_terms(source.topics, terms),
            guides=fill_terms(source.guides, terms),
            red_flags=fill_terms(source.red_flags, terms),
            withheld=fill_terms(source.withheld, terms),
            terms_of=publisher.slug,
            unfilled=source,
        )

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


def fill_terms(value, terms: Mapping):
    """A copy of a model value with every text's placeholders filled (dates, numbers kept)."""
    if isinstance(value, InEnglish):
        return InEnglish(fill(value, terms), value.lang)  # still English once filled
    if isinstance(value, str):
        return fill(value, terms)
    if isinstance(value, tuple):
        return tuple(fill_terms(item, terms) for item in value)
    if isinstance(value, FrozenMap):
        return FrozenMap({key: fill_terms(item, terms) for key, item in value.items()})
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: fill_terms(getattr(value, f.name), terms) for f in fields(value) if f.init})
    return value


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


def red_flag_from_data(data: dict) -> RedFlag:
    return RedFlag(
        id=data["id"],
        level=data["level"],
        text=data["text"],
        sms=data["sms"],
        basis=tuple(
            Basis(publisher=item.get("publisher"), title=item.get("title"), url=item.get("url"),
                  consulted=dt.date.fromisoformat(item["consulted"]) if item.get("consulted") else None,
                  seed=item.get("seed"))
            for item in data["basis"]
        ),
    )


def _care_block(block: dict, red_flags: Mapping[str, RedFlag]) -> CareBlock:
    ids = _texts(block.get("red_flags"))
    return CareBlock(block["level"], tuple(red_flags[i].text for i in ids) + _texts(block.get("signs")), ids)


def _sources_with_basis(declared: tuple[Source, ...], flags: list[RedFlag]) -> tuple[Source, ...]:
    """The file's sources, then each web page a shared red flag it shows is based on.

    Derived rather than declared, so a handout always names the guidance behind every
    warning sign it shows, however the flags change.
    """
    listed = {source.url for source in declared if source.url}
    extra = []
    for flag in flags:
        for basis in flag.basis:
            if basis.url and basis.url not in listed:
                listed.add(basis.url)
                extra.append(Source(basis.title, basis.publisher, basis.url))
    return declared + tuple(extra)


def condition_from_data(data: dict, red_flags: Mapping[str, RedFlag] = FrozenMap(),
                        translation: Translation | None = None) -> Condition:
    """A condition, its care blocks' red flag references resolved from `red_flags`."""
    related = data.get("related") or {}
    care_by_level = {block["level"]: block for block in data["care"]}
    care = tuple(_care_block(care_by_level[level], red_flags) for level in CARE_LEVELS if level in care_by_level)
    sms_flag = data["sms"].get("red_flag")
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
        care=care,
        tests=tuple(MedicalTest(t["name"], t["purpose"]) for t in data["tests"]),
        related_conditions=_texts(related.get("conditions")),
        related_topics=_texts(related.get("topics")),
        body_location=data["body_location"],
        questions=_texts(data["questions"]),
        sms=SmsText(data["sms"]["message"], red_flags[sms_flag].sms_sign if sms_flag else None, sms_flag),
        sources=_sources_with_basis(_sources(data["sources"]),
                                    [red_flags[i] for block in care for i in block.red_flags]),
        review=_review(data["review"]),
        may_be_mistaken_for=_texts(data.get("may_be_mistaken_for")),
        translation=translation,
    )


def topic_from_data(data: dict, translation: Translation | None = None) -> Topic:
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
        translation=translation,
    )


def guide_from_data(data: dict, translation: Translation | None = None) -> Guide:
    return Guide(
        slug=data["slug"],
        reference=data["reference"],
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
        paper_size=data["paper_size"],
        feedback=data["feedback"],
        clinic_contact=_texts(data.get("clinic_contact")),
        terms=FrozenMap(data.get("terms") or {}),
        locales=tuple(data.get("locales") or [data["locale"]]),
        sms_budget=FrozenMap(data.get("sms_budget") or {}),
    )


def _risk(data: dict) -> Risk:
    return Risk(data["severity"], data["likelihood"])


def hazard_log_from_data(data: dict) -> HazardLog:
    hazards = []
    for item in data["hazards"]:
        controls = []
        for control in item["controls"]:
            kind = next(key for key in CONTROL_KINDS if key in control)
            controls.append(Control(kind, control[kind], control.get("note")))
        hazards.append(Hazard(
            id=item["id"], title=item["title"], description=item["description"], cause=item["cause"],
            effect=item["effect"], initial=_risk(item["initial"]), controls=tuple(controls),
            residual=_risk(item["residual"]),
        ))
    return HazardLog(
        title=data["title"], system=data["system"], owner=data["owner"],
        last_reviewed=dt.date.fromisoformat(data["last_reviewed"]), hazards=tuple(hazards),
    )


# The kinds of control a hazard may name; pipeline/hazard_log.py checks that each exists.
CONTROL_KINDS = ("lint_rule", "test", "red_flag", "schema")


BUILDERS = {
    "conditions": condition_from_data,
    "topics": topic_from_data,
    "guides": guide_from_data,
    "publishers": publisher_from_data,
    "red-flags": red_flag_from_data,
}


def frozen_mapping(items: dict) -> Mapping:
    return FrozenMap(items)
