"""Locale tags: which language a locale speaks, how Babel names it, and where its files go.

One home for the concept. The sources are written in English; every other language is a
translation kept in sources/locales/<language>/. A publisher's primary locale keeps today's
output paths; every other locale of the publisher gets its own folder, named by its language
(`es/html/dvt.html`), so that adding a language never moves an existing address.
"""

from __future__ import annotations

import re

# The language the YAML sources are written in.
SOURCE_LANGUAGE = "en"
TAG = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


def language(tag: str) -> str:
    """The language subtag: 'es' for 'es-US'."""
    return tag.split("-", 1)[0].lower()


def is_source(tag: str) -> bool:
    """Whether a locale reads the English sources as they are (no catalogue needed)."""
    return language(tag) == SOURCE_LANGUAGE


def babel_name(tag: str) -> str:
    """Babel's (and CLDR's) spelling of a BCP 47 tag: 'es_US' for 'es-US'."""
    return tag.replace("-", "_")


def output_prefix(tag: str, primary: str) -> str:
    """The folder a locale's outputs go in: '' for the publisher's primary locale, else 'es/'."""
    return "" if tag == primary else f"{language(tag)}/"


def is_catalogue_language(code: str) -> bool:
    """Whether a folder name under sources/locales/ names a language to translate into."""
    return bool(re.fullmatch(r"[a-z]{2,3}", code)) and code != SOURCE_LANGUAGE


def catalogue_language(value: str) -> str:
    """A `--locale` option ('es' or 'es-US') as the language whose catalogues it means."""
    return language(value)


def choose(tags, wanted: str) -> str | None:
    """The tag in `tags` that `wanted` names: the same tag, or the only one of its language."""
    if wanted in tags:
        return wanted
    same = [tag for tag in tags if language(tag) == language(wanted)]
    return same[0] if len(same) == 1 else None


def language_name(tag: str, in_locale: str = "en") -> str:
    """A locale's language as readers of `in_locale` name it: 'Spanish' for 'es-US' in English,
    'español' in Spanish (from CLDR, through Babel)."""
    from babel import Locale

    return Locale.parse(babel_name(tag)).get_language_name(babel_name(in_locale))
