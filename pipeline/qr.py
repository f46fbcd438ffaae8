"""QR codes as SVG, made offline with segno, with the quiet zone the standard asks for."""

from __future__ import annotations

import base64
import io

import segno

# ISO/IEC 18004 asks for a light margin of 4 modules round the symbol; with less, some phone
# cameras fail to find the code on a busy page.
QUIET_ZONE = 4


def _code(url: str):
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, title: str) -> bytes:
    """An SVG QR code for `url`, with a <title> as its text alternative."""
    out = io.BytesIO()
    # segno escapes the title; dark modules on white give the contrast scanners need.
    _code(url).save(out, kind="svg", scale=4, border=QUIET_ZONE, title=title, xmldecl=False, svgns=True,
                    dark="#000", light="#fff", nl=False)
    return out.getvalue()


def qr_data_uri(url: str, title: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url, title)).decode("ascii")


def qr_image(url: str, title: str, symbol_mm: float) -> tuple[str, float]:
    """(data: URI, printed width in mm) of a QR code whose symbol, quiet zone excluded, is
    `symbol_mm` wide: the width grows with the quiet zone, whatever the code's version."""
    modules = _code(url).symbol_size(scale=1, border=0)[0]
    width = symbol_mm * (modules + 2 * QUIET_ZONE) / modules
    return qr_data_uri(url, title), round(width, 2)
