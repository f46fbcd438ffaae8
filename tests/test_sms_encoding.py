"""The segment counter, at the boundaries where real SMS gateways split or switch encoding."""

from __future__ import annotations

from hypothesis import given, strategies as st

from pipeline.sms_encoding import GSM7, UCS2, encode, to_plain


def test_160_plain_septets_are_one_segment():
    assert encode("a" * 160) == encode("a" * 160).__class__(GSM7, 160, 1)


def test_161_plain_septets_are_two_segments():
    cost = encode("a" * 161)
    assert (cost.encoding, cost.units, cost.segments) == (GSM7, 161, 2)


def test_extension_character_counts_two_septets():
    assert encode("€").units == 2
    assert encode("[]{}~^\\|").units == 16


def test_extension_character_at_position_160():
    # 159 basic + one extension = 161 septets: no longer fits one segment.
    cost = encode("a" * 159 + "€")
    assert (cost.units, cost.segments) == (161, 2)
    assert encode("a" * 158 + "€").segments == 1


def test_153_septet_parts():
    assert encode("a" * 306).segments == 2
    assert encode("a" * 307).segments == 3


def test_escape_sequence_is_never_split_across_parts():
    # 152 basic septets, then an extension character: its two septets cannot start at 153,
    # so it moves whole to the second part.
    text = "a" * 152 + "€" + "a" * 152
    cost = encode(text)
    assert cost.units == 306
    assert cost.segments == 3  # a naive count (306 / 153) would say 2
    assert encode("a" * 151 + "€" + "a" * 153).segments == 2


def test_70_and_71_ucs2_characters():
    assert (encode("й" * 70).encoding, encode("й" * 70).segments) == (UCS2, 1)
    assert encode("й" * 71).segments == 2
    assert encode("й" * 134).segments == 2
    assert encode("й" * 135).segments == 3


def test_ucs2_surrogate_pair_is_never_split():
    cost = encode("й" * 66 + "🙂" + "й" * 66)
    assert cost.units == 134 and cost.segments == 3
    assert cost.outside_gsm7 == ("й", "🙂")


def test_one_curly_quote_switches_the_whole_message():
    assert encode("Don’t").encoding == UCS2
    assert encode(to_plain("Don’t — wait… “now”\u00a0please")) .encoding == GSM7
    assert to_plain("Don’t — wait… “now”\u00a0please") == "Don't - wait... \"now\" please"


@given(st.text(max_size=400))
def test_any_text_gets_a_consistent_count(text):
    cost = encode(text)
    assert cost.segments >= 1
    single = 160 if cost.encoding == GSM7 else 70
    part = 153 if cost.encoding == GSM7 else 67
    if cost.units <= single:
        assert cost.segments == 1
    else:
        assert cost.segments >= -(-cost.units // part)
    if cost.encoding == GSM7:
        assert cost.units == len(text.encode("gsm03.38"))
