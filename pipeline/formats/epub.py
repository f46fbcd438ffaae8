"""EPUB 3 guides: the guide's chapters through pandoc, then the metadata pandoc cannot write."""

from __future__ import annotations

import io
import json
import re
import tempfile
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from ..presentation import STYLES_DIR, render_template
from . import Format, Job, RenderContext, register

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
A11Y_PREFIX = "a11y: http://www.idpf.org/epub/vocab/package/a11y/#"
# Every zip entry gets this time, so the same guide gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class EpubError(Exception):
    pass


def guide_identifier(publisher_website: str, guide_slug: str) -> str:
    """A stable identifier: the same guide from the same publisher always gets the same one."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, publisher_website + 'epub/' + guide_slug)}"


def _chapters(guide, library):
    return [(library.conditions if ch.kind == "condition" else library.topics)[ch.slug] for ch in guide.chapters]


def guide_html(guide, ctx: RenderContext) -> str:
    chapters = _chapters(guide, ctx.library)
    in_book = {item.slug for item in chapters}

    def link(kind: str, slug: str) -> str:
        # Inside the book, a link goes to the chapter; otherwise to the publisher's web page.
        return f"#{slug}" if slug in in_book else ctx.publisher.page_url(slug)

    return render_template("guide.html.j2", guide=guide, chapters=chapters, library=ctx.library,
                           publisher=ctx.publisher, link=link, created=ctx.created)


def metadata(guide, ctx: RenderContext) -> dict:
    return {
        "title": guide.title,
        "subtitle": guide.subtitle or "",
        "lang": ctx.publisher.locale,
        "identifier": guide_identifier(ctx.publisher.website, guide.slug),
        "publisher": ctx.publisher.name,
        "creator": ctx.publisher.name,
        "description": guide.description,
        "date": ctx.created[:10],
        "rights": f"Published by {ctx.publisher.name}.",
        "accessModes": ["textual"],
        "accessModeSufficient": ["textual"],
        "accessibilityFeatures": ["structuralNavigation", "tableOfContents", "readingOrder",
                                  "displayTransformability"],
        "accessibilityHazards": ["none"],
        "accessibilitySummary": (
            "Text only, with headings for every chapter and section, a table of contents, and no "
            "images other than the cover. Meets WCAG 2.2 Level AA."
        ),
    }


def cover_svg(guide, ctx: RenderContext) -> str:
    lines = _wrap(guide.title, 22)
    title = "".join(
        f'<text x="300" y="{260 + i * 62}" font-size="52" font-weight="bold" text-anchor="middle">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    subtitle = "".join(
        f'<text x="300" y="{300 + len(lines) * 62 + i * 40}" font-size="30" text-anchor="middle">{escape(line)}</text>'
        for i, line in enumerate(_wrap(guide.subtitle or "", 34))
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 800" width="600" height="800" '
        'role="img" aria-labelledby="cover-title">'
        f'<title id="cover-title">Cover: {escape(guide.title)}</title>'
        '<rect width="600" height="800" fill="#ffffff"/>'
        '<rect x="0" y="0" width="600" height="120" fill="#0b4f9c"/>'
        f'<g font-family="sans-serif" fill="#1a1a1a">{title}{subtitle}'
        f'<text x="300" y="740" font-size="26" text-anchor="middle">{escape(ctx.publisher.name)}</text></g>'
        "</svg>"
    )


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _cover_page(guide, lang: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" xml:lang="{lang}">\n'
        f"<head><meta charset=\"utf-8\" /><title>{escape(guide.title)}</title>"
        '<link rel="stylesheet" type="text/css" href="../styles/stylesheet1.css" /></head>\n'
        '<body epub:type="cover"><section class="cover" epub:type="cover">'
        f'<img src="../media/cover.svg" alt="Cover: {escape(guide.title, {chr(34): "&quot;"})}" style="max-width:100%;height:auto" />'
        "</section></body>\n</html>\n"
    )


def finish_package(epub: bytes, guide, ctx: RenderContext) -> bytes:
    """Add the conformance claim, the cover and a fixed modification date, then re-zip reproducibly."""
    source = zipfile.ZipFile(io.BytesIO(epub))
    names = source.namelist()
    opf_name = next(n for n in names if n.endswith(".opf"))
    opf = source.read(opf_name).decode("utf-8")
    modified = ctx.created[:19] + "Z"
    opf = re.sub(r'<meta property="dcterms:modified">[^<]*</meta>',
                 f'<meta property="dcterms:modified">{modified}</meta>', opf)
    claim = (
        f'    <meta property="dcterms:conformsTo">{CONFORMANCE}</meta>\n'
        f'    <meta property="a11y:certifiedBy">{escape(ctx.publisher.name)}</meta>\n'
        '    <meta name="cover" content="cover-image" />\n'
        # The guide's leaflet reference and version, as every other format carries them.
        f'    <dc:identifier id="reference">{escape(guide.reference)}</dc:identifier>\n'
        f'    <meta property="schema:version">{guide.approval.version}</meta>\n'
    )
    opf = opf.replace("  </metadata>", claim + "  </metadata>", 1)
    opf = re.sub(r'prefix="([^"]*)"', lambda m: f'prefix="{m.group(1)} {A11Y_PREFIX}"', opf, count=1)
    opf = opf.replace(
        "  </manifest>",
        '    <item id="cover-image" href="media/cover.svg" media-type="image/svg+xml" properties="cover-image" />\n'
        '    <item id="cover_xhtml" href="text/cover.xhtml" media-type="application/xhtml+xml" properties="svg" />\n'
        "  </manifest>", 1)
    opf = re.sub(r"(<spine[^>]*>\n)", r'\1    <itemref idref="cover_xhtml" linear="yes" />\n', opf, count=1)
    if "dcterms:conformsTo" not in opf or "cover-image" not in opf:
        raise EpubError("pandoc's package document did not have the expected shape")
    root = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
    extra = {
        root + "media/cover.svg": cover_svg(guide, ctx).encode("utf-8"),
        root + "text/cover.xhtml": _cover_page(guide, ctx.publisher.locale).encode("utf-8"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        # The EPUB rule: 'mimetype' first, stored without compression.
        target.writestr(zipfile.ZipInfo("mimetype", ZIP_TIME), b"application/epub+zip",
                        compress_type=zipfile.ZIP_STORED)
        for name in [n for n in names if n != "mimetype"] + sorted(extra):
            data = opf.encode("utf-8") if name == opf_name else extra.get(name) or source.read(name)
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


class EpubFormat(Format):
    name = "epub"
    heavy = True

    def jobs(self, ctx: RenderContext) -> list[Job]:
        return [Job("epub", "guide", f"epub/{slug}.epub", guide=slug) for slug in ctx.library.guides]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        guide = ctx.library.guides[job.guide]
        chapters = _chapters(guide, ctx.library)
        related = sorted({link for item in chapters for link in ctx.library.related(item)})
        return repr((guide, chapters, related, ctx.publisher, ctx.created))

    def warm_up(self) -> None:
        import pypandoc  # noqa: F401

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        import pypandoc

        guide = ctx.library.guides[job.guide]
        html = guide_html(guide, ctx)
        style = "<style>\n" + (STYLES_DIR / "epub.css").read_text(encoding="utf-8") + "</style>\n"
        with tempfile.TemporaryDirectory(prefix="handouts-epub-") as tmp:
            folder = Path(tmp)
            (folder / "metadata.json").write_text(json.dumps(metadata(guide, ctx)), encoding="utf-8")
            (folder / "style.html").write_text(style, encoding="utf-8")
            target = folder / "guide.epub"
            try:
                pypandoc.convert_text(
                    html, "epub3", format="html", outputfile=str(target),
                    extra_args=[
                        # pandoc may read only the files named here, never one that content names.
                        "--sandbox",
                        "--split-level=1",
                        "--toc-depth=1",
                        f"--metadata-file={folder / 'metadata.json'}",
                        f"--include-in-header={folder / 'style.html'}",
                        "--epub-title-page=false",
                    ],
                )
            except RuntimeError as exc:
                raise EpubError(f"{job.path}: pandoc failed: {exc}") from exc
            return finish_package(target.read_bytes(), guide, ctx)


register(EpubFormat())
