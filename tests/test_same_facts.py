"""The same facts in every format: every source sentence in HTML, the three PDFs and the guide;
every emergency sign's action in the SMS. Reports what is missing by condition, format and field."""

from __future__ import annotations

from textfields import missing_by_format


def test_every_condition_says_the_same_in_every_format(built, library):
    assert missing_by_format(built, library) == {}
