"""The interface strings: fixed wording the code and templates put around the content.

Each is marked where it is written with pgettext(key, English), a stable key as msgctxt,
so that Babel's extractors find it in Python and in Jinja templates alike. As in any gettext
project, the extracted English is kept in a template, pipeline/messages/interface.pot:
extracting takes about a second, so validate and build read the template instead, and a test
keeps it in step with the code. `handouts i18n extract` rewrites the template (in a source
checkout) and merges it into sources/locales/<language>/interface.po beside the content
catalogues, with the same workflow (fuzzy when the English changes, status, review). At
build time a locale's translations become a `model.Wording` on the content model.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE = PACKAGE_DIR / "messages" / "interface.pot"
# Where marked strings are looked for, and with which Babel extractor.
METHOD_MAP = [("**.py", "python"), ("templates/**.j2", "jinja2.ext:babel_extract")]
OPTIONS_MAP = {"templates/**.j2": {"trim_blocks": "true", "lstrip_blocks": "true"}}
KEYWORDS = {"pgettext": ((1, "c"), 2)}


# What is being rendered now: the locale's Wording (None: the English as written) and the
# locale. Set by `rendering` around one render (presentation.render_template does), read by
# pgettext and translate, so that templates, their macros and the Python helpers they call
# (the body map's alt text) all speak the job's language without passing it down.
_CURRENT: ContextVar[tuple[object | None, str | None]] = ContextVar("interface_wording", default=(None, None))


@contextmanager
def rendering(wording, locale: str | None):
    token = _CURRENT.set((wording, locale))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def partial(item) -> bool:
    """Whether a page about `item` shows English in place of a missing translation: only in a
    preview built with --allow-partial, which says so in a banner."""
    wording = _CURRENT.get()[0]
    translation = getattr(item, "translation", None)
    return bool((translation is not None and translation.partial) or getattr(wording, "untranslated", ()))


def current_locale() -> str | None:
    """The locale being rendered, when a render said so."""
    return _CURRENT.get()[1]


def translate(key: str, english: str) -> str:
    """The interface string `key` in the language being rendered (its English outside a
    render, or when the locale is English). For keys made at run time, from English marked
    elsewhere with pgettext (the body map's places, the care labels)."""
    wording = _CURRENT.get()[0]
    return wording.pgettext(key, english) if wording is not None else english


def pgettext(context: str, message: str) -> str:
    """Marks a string for extraction (a stable key and its English) and gives it in the
    language being rendered; at import time, the English."""
    return translate(context, message)


def extract_messages(package_dir: Path = PACKAGE_DIR) -> list[tuple[str, str, str]]:
    """(key, English, 'file:line') of every marked string in the package, in a stable order."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, tuple[str, str, str]] = {}
    for filename, line, message, _comments, context in extract_from_dir(
            str(package_dir), method_map=METHOD_MAP, options_map=OPTIONS_MAP, keywords=KEYWORDS):
        if not context or not isinstance(message, str):
            continue  # only keyed, singular strings are used (see pgettext)
        if context in found and found[context][1] != message:
            raise ValueError(f"interface key {context!r} has two different English texts: "
                             f"{found[context][2]} and pipeline/{filename}:{line}")
        found.setdefault(context, (context, message, f"pipeline/{filename}:{line}"))
    return sorted(found.values())


def template_text(messages: list[tuple[str, str, str]]) -> str:
    """The POT template of the marked strings (no dates: the same code gives the same bytes)."""
    import polib

    from .translations import WRAP_WIDTH

    pot = polib.POFile(wrapwidth=WRAP_WIDTH)
    pot.header = ("The interface strings of the handouts, extracted from pipeline/ by 'handouts i18n extract'.\n"
                  "Do not edit: mark strings in the code with pgettext(key, English).")
    pot.metadata = {"Project-Id-Version": "knee-handouts interface", "MIME-Version": "1.0",
                    "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
    for key, message, where in messages:
        pot.append(polib.POEntry(msgctxt=key, msgid=message, msgstr="", occurrences=[tuple(where.rsplit(":", 1))]))
    return str(pot) + "\n"


def read_template(path: Path = TEMPLATE) -> list[tuple[str, str, tuple[str, str]]]:
    """(key, English, (file, line)) of every interface string, from the template."""
    import polib

    if not path.exists():
        return []
    return [(e.msgctxt, e.msgid, e.occurrences[0] if e.occurrences else ("pipeline", "1"))
            for e in polib.pofile(str(path)) if e.msgctxt]
