"""Dates and numbers in the reader's locale, through Babel."""

from __future__ import annotations

import datetime as dt

from pipeline.formats.catalogue import human_size
from pipeline.presentation import format_date, format_number


def _hand_written(day: dt.date, locale: str) -> str:
    """What the handouts printed before Babel: kept here to prove English did not change."""
    month = ("January February March April May June July August September October November "
             "December").split()[day.month - 1]
    return f"{month} {day.day}, {day.year}" if locale == "en-US" else f"{day.day} {month} {day.year}"


def test_english_dates_are_unchanged_on_every_day_of_a_leap_year():
    day = dt.date(2028, 1, 1)
    while day.year == 2028:
        for locale in ("en-US", "en-GB"):
            assert format_date(day, locale) == _hand_written(day, locale)
        day += dt.timedelta(days=1)


def test_spanish_dates():
    assert format_date(dt.date(2026, 11, 21), "es-US") == "21 de noviembre de 2026"
    assert format_date(dt.date(2027, 1, 1), "es-US") == "1 de enero de 2027"


def test_numbers_use_the_locale_separators():
    assert format_number(1234.5, "en-US", 1) == "1,234.5"
    assert format_number(1234.5, "es-ES", 1) == "1.234,5"
    assert format_number(7, "es-US") == "7"


def test_file_sizes():
    assert human_size(512, "en-US") == "512 bytes"
    assert human_size(40 * 1024, "en-GB") == "40 KB"
    assert human_size(3 * 1024 * 1024 + 200 * 1024, "en-US") == "3.2 MB"
    assert human_size(3 * 1024 * 1024 + 200 * 1024, "es-ES") == "3,2 MB"
