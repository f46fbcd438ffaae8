"""QR codes: the quiet zone the standard asks for, and a printed size that does not depend on
the length of the address."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import segno

from pipeline.qr import QUIET_ZONE, qr_image, qr_svg

URLS = ["https://knee.example/html/dvt.html",
        "https://uk.knee.example/html/cruciate-ligament-injury.html"]


@pytest.mark.parametrize("url", URLS)
def test_the_svg_has_a_four_module_quiet_zone(url):
    modules = segno.make(url, error="m").symbol_size(border=0)[0]
    root = ET.fromstring(qr_svg(url, "QR code"))
    scale = 4  # pixels per module in the SVG
    assert float(root.get("width")) == (modules + 2 * QUIET_ZONE) * scale == float(root.get("height"))
    assert QUIET_ZONE == 4
    assert root.find("{http://www.w3.org/2000/svg}title").text == "QR code"
    # Drawn in module units: a white square over the whole code, then the dark modules as
    # lines starting 4 modules in (a line's y is the middle of its row).
    light, dark = root.iter("{http://www.w3.org/2000/svg}path")
    assert light.get("fill") == "#fff" and light.get("d") == f"M0 0h{modules + 8}v{modules + 8}h-{modules + 8}z"
    x, y = (float(n) for n in re.match(r"M(\d+(?:\.\d+)?) (\d+(?:\.\d+)?)", dark.get("d")).groups())
    assert dark.get("stroke") == "#000" and (x, y) == (QUIET_ZONE, QUIET_ZONE + 0.5)


@pytest.mark.parametrize("url", URLS)
def test_the_printed_symbol_is_the_size_asked_for_whatever_the_address(url):
    modules = segno.make(url, error="m").symbol_size(border=0)[0]
    src, width_mm = qr_image(url, "QR code", 26)
    assert src.startswith("data:image/svg+xml;base64,")
    assert width_mm * modules / (modules + 2 * QUIET_ZONE) == pytest.approx(26, abs=0.01)
