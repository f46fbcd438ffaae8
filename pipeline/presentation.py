"""What every format shows the same way: the Jinja environment, dates, headings and fixed wording.

The web page, the PDF leaflet and the EPUB chapter all render through the templates in
templates/, so one piece of content cannot read differently in two formats.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

import babel.dates
import babel.numbers
import jinja2
from markupsafe import Markup, escape

from . import body_map
from .interface import current_locale, partial, pgettext, rendering, translate
from .locales import babel_name
from .model import CARE_LEVELS, Condition, InEnglish, Publisher, Topic

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STYLES_DIR = Path(__file__).resolve().parent / "styles"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"

# Fixed wording, marked as interface strings (see interface.py): the English here, each
# locale's translation through `translate(key, ...)` when rendered. Nothing here is specific to
# a country: numbers, services and the publisher's details come from the publisher profile.
DISCLAIMER = pgettext(
    "notice.disclaimer",
    "This handout gives general information. It does not replace advice from your doctor "
    "or another clinician who knows your health.")
DRAFT_LABEL = pgettext("notice.draft-label", "Draft")
# Follows "Draft:" in bold.
DRAFT_TEXT = pgettext("notice.draft", "not yet clinically reviewed. A clinician has not yet checked this handout.")
DRAFT_NOTICE = f"{DRAFT_LABEL}: {DRAFT_TEXT}"
# The other states an item can be in short of approved (see model.STATUSES); {date} is filled in.
CHANGED_NOTICE = pgettext("notice.changed", "Changed since clinical review on {date}, not yet re-reviewed.")
OVERDUE_NOTICE = pgettext("notice.overdue", "Review overdue: this handout was due for clinical review on {date}.")
CARE_LABELS = {"emergency": pgettext("care.emergency", "Emergency"),
               "urgent": pgettext("care.urgent", "Urgent"),
               "routine": pgettext("care.routine", "Routine")}


# The last chapter of an EPUB guide (epub.py finds it by this heading).
ABOUT_GUIDE = pgettext("guide.about", "About this guide")
# Sign-off states in words (model.STATUSES).
STATUS_WORDS = {"draft": pgettext("status.draft", "draft"), "changed": pgettext("status.changed", "changed"),
                "overdue": pgettext("status.overdue", "overdue"), "approved": pgettext("status.approved", "approved")}


def status_word(status: str) -> str:
    return translate(f"status.{status}", STATUS_WORDS.get(status, status))


def care_label(level: str) -> str:
    """A care level in words, in the language being rendered."""
    return translate(f"care.{level}", CARE_LABELS[level])


def render_locale(publisher: Publisher) -> str:
    """The locale being rendered: the job's, else the publisher's primary locale."""
    return current_locale() or publisher.locale


ICONS_DIR = ASSETS_DIR / "icons"


@lru_cache(maxsize=None)
def care_icon(level: str) -> Markup:
    """The care level's icon as inline SVG, hidden from assistive technology: the level is
    always written out in words beside it. The leaflet stylesheet draws the same file."""
    if level not in CARE_LEVELS:
        raise ValueError(f"unknown care level {level!r}")
    svg = (ICONS_DIR / f"{level}.svg").read_text(encoding="utf-8").strip()
    return Markup(svg.replace("<svg ", '<svg class="care-icon" aria-hidden="true" focusable="false" ', 1))


def format_date(day: dt.date | str, locale: str) -> str:
    """A date in words, as readers of the locale write it (CLDR's long form, through Babel):
    'November 21, 2026' (en-US), '21 November 2026' (en-GB), '21 de noviembre de 2026' (es-US).
    An ISO string works too."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return babel.dates.format_date(day, format="long", locale=babel_name(locale))


def format_number(value: float, locale: str, digits: int = 0) -> str:
    """A number with the locale's separators: '1,234.5' (en-US), '1.234,5' (es-ES)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel.numbers.format_decimal(value, format=pattern, locale=babel_name(locale))


def in_its_language(text):
    """A content text where a page shows it as text: one left in English in a preview of an
    incomplete translation (model.InEnglish) inside <span lang="en-US">, so that a screen
    reader reads it as English (WCAG 3.1.2, language of parts); any other text as it is.
    Escaped like any text either way. Not for attributes or <title>, which hold no markup."""
    if isinstance(text, InEnglish):
        return Markup('<span lang="{}">{}</span>').format(text.lang, str(text))
    return text


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: quotes, backslashes and control characters escaped."""
    escaped = "".join(
        f"\\{ord(ch):x} " if ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in text
    )
    return f'"{escaped}"'


def json_for_script(data: object) -> Markup:
    """JSON safe to embed in <script>: no '<', '>' or '&' can end the element early."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def medical_web_page(item: Condition | Topic, publisher: Publisher, locale: str | None = None) -> dict:
    """schema.org MedicalWebPage structured data about the page's condition or topic, in one
    of the publisher's locales (by default the primary one)."""
    locale = locale or publisher.locale
    page: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": item.title,
        "url": publisher.page_url(item.slug, locale),
        "inLanguage": locale,
        "description": item.summary,
        "identifier": item.reference,
        "lastReviewed": item.review.last_reviewed.isoformat(),
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "publisher": {"@type": "Organization", "name": publisher.name, "url": publisher.website,
                      "telephone": publisher.phone},
    }
    approval = item.approval.in_force
    if approval:
        page["version"] = str(approval.version)
        page["lastReviewed"] = approval.date.isoformat()
        page["dateModified"] = max(item.review.last_reviewed, approval.date).isoformat()
        page["reviewedBy"] = {"@type": "Person", "name": approval.reviewer.name,
                              "honorificSuffix": approval.reviewer.credential}
    if isinstance(item, Condition):
        page["about"] = {
            "@type": "MedicalCondition",
            "name": item.medical_name,
            "alternateName": item.title,
            "signOrSymptom": [{"@type": "MedicalSignOrSymptom", "name": s} for s in item.symptoms],
            "possibleTreatment": [
                {"@type": "MedicalTherapy", "name": t.name, "description": t.description}
                for t in item.treatments
            ],
            "riskFactor": [{"@type": "MedicalRiskFactor", "name": r} for r in item.risk_factors],
            "typicalTest": [{"@type": "MedicalTest", "name": t.name, "description": t.purpose}
                            for t in item.tests],
        }
    else:
        page["about"] = {"@type": "Thing", "name": item.title}
    return page


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        # Content is untrusted: every value is escaped unless a template says otherwise.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        DISCLAIMER=DISCLAIMER,
        DRAFT_NOTICE=DRAFT_NOTICE,
        CHANGED_NOTICE=CHANGED_NOTICE,
        OVERDUE_NOTICE=OVERDUE_NOTICE,
        CARE_LABELS=CARE_LABELS,
        care_label=care_label,
        status_word=status_word,
        ABOUT_GUIDE=ABOUT_GUIDE,
        pgettext=pgettext,
        translate=translate,
        render_locale=render_locale,
        partial=partial,
        format_date=format_date,
        format_number=format_number,
        care_icon=care_icon,
        body_map_src=body_map.data_uri,
        body_map_alt=body_map.alt_text,
        body_map_caption=body_map.caption,
    )
    env.filters["css_string"] = css_string
    env.filters["in_its_language"] = in_its_language
    env.globals["escape"] = escape
    return env


def render_template(name: str, *, wording=None, locale: str | None = None, **context) -> str:
    """Render a template; its interface strings (and the helpers it calls) in `wording`'s
    language, its dates and `lang` in `locale` (by default the English as written, and the
    publisher's primary locale)."""
    with rendering(wording, locale):
        return environment().get_template(name).render(**context)

