"""QR codes as SVG, made offline with segno."""

from __future__ import annotations

import base64
import io

import segno


def qr_svg(url: str, title: str) -> bytes:
    """An SVG QR code for `url`, with a <title> as its text alternative."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    # segno escapes the title; dark modules on white give the contrast scanners need.
    code.save(out, kind="svg", scale=4, border=2, title=title, xmldecl=False, svgns=True,
              dark="#000", light="#fff", nl=False)
    return out.getvalue()


def qr_data_uri(url: str, title: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url, title)).decode("ascii")
