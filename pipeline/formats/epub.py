"""EPUB 3 guides: the guide's chapters through pandoc, then what pandoc cannot write.

pandoc splits the guide into chapters and writes the navigation. Its HTML reader drops the
attributes of paragraphs and rewrites inline SVG (lower-casing viewBox), so the HTML it
reads is prepared first (`prepare_for_pandoc`). Afterwards `finish_package` adds the cover,
the title page, the project's stylesheet and fonts, chapter titles, landmarks and the
accessibility conformance claim, and zips the book reproducibly.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import tempfile
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from ..interface import pgettext, rendering, translate
from ..presentation import ABOUT_GUIDE, ASSETS_DIR, STYLES_DIR, format_date, render_template, status_word
from . import Format, Job, RenderContext, register, related_inputs

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
A11Y_PREFIX = "a11y: http://www.idpf.org/epub/vocab/package/a11y/#"
# Every zip entry gets this time, so the same guide gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# The typeface of the web pages and leaflets, embedded (its licence allows it; see the
# guide's about page). Bold italic is never used.
FONT_FILES = tuple(ASSETS_DIR / "fonts" / f"AtkinsonHyperlegible-{style}.ttf"
                   for style in ("Regular", "Bold", "Italic"))
ABOUT_ID = "about-this-guide"


class EpubError(Exception):
    pass


def guide_identifier(publisher_website: str, guide_slug: str) -> str:
    """A stable identifier: the same guide from the same publisher always gets the same one."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, publisher_website + 'epub/' + guide_slug)}"


def _chapters(guide, library):
    return [(library.conditions if ch.kind == "condition" else library.topics)[ch.slug] for ch in guide.chapters]


def guide_sources(chapters) -> list:
    """Every source the chapters name, once each, in the order they first appear."""
    seen: dict = {}
    for item in chapters:
        for source in item.sources:
            seen.setdefault((source.author, source.title, source.url), source)
    return list(seen.values())


def _published(ctx: RenderContext) -> dt.date:
    return dt.date.fromisoformat(ctx.created[:10])


def guide_html(guide, ctx: RenderContext) -> str:
    chapters = _chapters(guide, ctx.library)
    in_book = {item.slug for item in chapters}

    def link(kind: str, slug: str) -> str:
        # Inside the book, a link goes to the chapter; otherwise to the publisher's web page.
        return f"#{slug}" if slug in in_book else ctx.publisher.page_url(slug, ctx.locale)

    return render_template("guide.html.j2", wording=ctx.library.wording, locale=ctx.locale,
                           guide=guide, chapters=chapters, library=ctx.library,
                           publisher=ctx.publisher, link=link, created=ctx.created,
                           sources=guide_sources(chapters), published=_published(ctx))


# --- what pandoc's HTML reader would lose -------------------------------------------------

_CLASSED_PARAGRAPH = re.compile(r"<p(\s[^>]*\bclass=\"[^\"]*\"[^>]*)>(.*?)</p>", re.S)
_LABELLED_BY = re.compile(r'\saria-labelledby="[^"]*"')
_INLINE_SVG = re.compile(r"<svg\b([^>]*)>.*?</svg>", re.S)
_ATTRIBUTE = re.compile(r'\s([\w:-]+)="([^"]*)"')


def _svg_as_image(match: re.Match) -> str:
    attributes = dict(_ATTRIBUTE.findall(match.group(1)))
    # The picture's own file keeps only what SVG itself knows; the page's attributes go on <img>.
    svg = match.group(0)
    for name in ("class", "aria-hidden", "focusable", "role", "aria-label"):
        svg = re.sub(rf'\s{name}="[^"]*"', "", svg, count=1)
    if "xmlns=" not in svg.split(">", 1)[0]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    decorative = attributes.get("aria-hidden") == "true"
    alt = "" if decorative else escape(attributes.get("aria-label", ""), {'"': "&quot;"})
    css_class = f' class="{attributes["class"]}"' if "class" in attributes else ""
    return f'<img src="{src}" alt="{alt}"{css_class}>'


def prepare_for_pandoc(html: str) -> str:
    """The guide's HTML in the shape pandoc carries through: classed paragraphs wrapped in
    classed <div>s (pandoc keeps a div's attributes, not a paragraph's), inline SVG as an
    image of the same bytes, and no aria-labelledby (pandoc moves a heading's id onto its
    section, which would then name itself)."""
    html = _INLINE_SVG.sub(_svg_as_image, html)
    html = _CLASSED_PARAGRAPH.sub(lambda m: f"<div{m.group(1)}><p>{m.group(2)}</p></div>", html)
    return _LABELLED_BY.sub("", html)


def has_pictures(html: str) -> bool:
    """Whether the book shows images besides its cover (care icons, the body picture)."""
    return "<img" in html or "<svg" in html


def metadata(guide, ctx: RenderContext, pictures: bool = False) -> dict:
    if pictures:
        modes, features = ["textual", "visual"], ["alternativeText"]
        summary = pgettext("epub.summary-pictures",
                           "Text with pictures: every picture has a text alternative, and its meaning is "
                           "also given in words. Headings for every chapter and section, a table of "
                           "contents and landmarks. Meets WCAG 2.2 Level AA.")
    else:
        modes, features = ["textual"], []
        summary = pgettext("epub.summary-text",
                           "Text only, with headings for every chapter and section, a table of contents "
                           "and landmarks, and no images other than the cover. Meets WCAG 2.2 Level AA.")
    return {
        "title": guide.title,
        "subtitle": guide.subtitle or "",
        "lang": ctx.locale,
        "identifier": guide_identifier(ctx.publisher.website, guide.slug),
        "publisher": ctx.publisher.name,
        "creator": ctx.publisher.name,
        "description": guide.description,
        "date": ctx.created[:10],
        "rights": pgettext("epub.rights", "Published by {publisher}. Typeface: Atkinson Hyperlegible, SIL Open "
                           "Font License 1.1.").format(publisher=ctx.publisher.name),
        "accessModes": modes,
        "accessModeSufficient": ["textual"],
        "accessibilityFeatures": ["structuralNavigation", "tableOfContents", "readingOrder",
                                  "displayTransformability", *features],
        "accessibilityHazards": ["none"],
        "accessibilitySummary": summary,
    }


# --- pages pandoc does not make --------------------------------------------------------------


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
        f'<title id="cover-title">{escape(_cover_title(guide))}</title>'
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


def _xhtml(lang: str, title: str, body_type: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" xml:lang="{lang}">\n'
        f'<head><meta charset="utf-8" /><title>{escape(title)}</title>'
        '<link rel="stylesheet" type="text/css" href="../styles/stylesheet1.css" /></head>\n'
        f'<body epub:type="{body_type}">{body}</body>\n</html>\n'
    )


def _cover_title(guide) -> str:
    return pgettext("epub.cover", "Cover: {title}").format(title=guide.title)


def _cover_page(guide, lang: str) -> str:
    alt = escape(_cover_title(guide), {'"': "&quot;"})
    return _xhtml(lang, guide.title, "cover",
                  '<section class="cover" epub:type="cover">'
                  f'<img src="../media/cover.svg" alt="{alt}" /></section>')


def title_page(guide, ctx: RenderContext) -> str:
    publisher = ctx.publisher
    draft = ""
    if not guide.approval.is_approved:
        label = pgettext("epub.not-approved", "Not yet approved:")
        text = pgettext("epub.not-approved-text", "{status}. A clinician has not approved this guide as it is now.")
        draft = (f'<div class="draft-banner" role="note"><p><strong>{escape(label)}</strong> '
                 f"{escape(text.format(status=status_word(guide.approval.status)))}</p></div>")
    subtitle = f'<p class="subtitle">{escape(guide.subtitle)}</p>' if guide.subtitle else ""
    return _xhtml(
        ctx.locale, pgettext("epub.title-page-title", "Title page: {title}").format(title=guide.title), "frontmatter",
        '<section class="titlepage" epub:type="titlepage">'
        f'<h1 class="title">{escape(guide.title)}</h1>{subtitle}'
        f'<p class="publisher">{escape(publisher.name)}</p>'
        f'<p class="date">{escape(format_date(_published(ctx), ctx.locale))}</p>'
        f"{draft}</section>")


# --- after pandoc --------------------------------------------------------------------------

_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _chapter_titles(files: dict[str, bytes]) -> dict[str, str]:
    """Each chapter's <title> becomes its heading ("Pulled calf muscle", not "ch003.xhtml"),
    which is what reading systems and screen readers announce."""
    titles = {}
    for name, data in files.items():
        if re.search(r"/text/ch\d+\.xhtml$", name):
            text = data.decode("utf-8")
            heading = _H1.search(text)
            if not heading:
                raise EpubError(f"{name} has no heading to take its title from")
            title = " ".join(_TAG.sub("", heading.group(1)).split())  # already escaped XHTML text
            text = re.sub(r"<title>[^<]*</title>", f"<title>{title}</title>", text, count=1)
            if f'id="{ABOUT_ID}"' in text:
                text = text.replace('<body epub:type="bodymatter">', '<body epub:type="backmatter">', 1)
            files[name] = text.encode("utf-8")
            titles[name] = title
    return titles


def _landmarks(nav: str, root: str, titles: dict[str, str]) -> str:
    # No "toc" landmark: the navigation document is not in the spine, and EPUBCheck refuses
    # links to documents outside it (RSC-011).
    chapters = sorted(titles)
    about = next((n for n in chapters if titles[n] == escape(translate("guide.about", ABOUT_GUIDE))), chapters[-1])
    first = chapters[0]

    def rel(name: str) -> str:
        return name[len(root):]

    items = [
        ("text/cover.xhtml", "cover", escape(pgettext("epub.landmark-cover", "Cover"))),
        ("text/title_page.xhtml", "titlepage", escape(pgettext("epub.landmark-title-page", "Title page"))),
        (rel(first), "bodymatter", titles[first]),
        (rel(about), "backmatter", titles[about]),
    ]
    links = "".join(f'<li><a href="{href}" epub:type="{kind}">{label}</a></li>' for href, kind, label in items)
    heading = escape(pgettext("epub.landmarks", "Landmarks"))
    landmarks = f'<nav epub:type="landmarks" id="landmarks" hidden="hidden"><h2>{heading}</h2><ol>{links}</ol></nav>\n'
    if "</body>" not in nav:
        raise EpubError("pandoc's navigation document did not have the expected shape")
    return nav.replace("</body>", landmarks + "</body>", 1)


def _stylesheet(pandoc_css: str) -> str:
    fonts = "".join(
        f'@font-face {{ font-family: "Atkinson Hyperlegible"; src: url("../fonts/{path.name}"); '
        f'font-weight: {700 if "Bold" in path.name else 400}; '
        f'font-style: {"italic" if "Italic" in path.name else "normal"}; }}\n'
        for path in FONT_FILES)
    # pandoc's own rules first, the project's after them so that they win.
    return pandoc_css + "\n" + fonts + (STYLES_DIR / "epub.css").read_text(encoding="utf-8")


def finish_package(epub: bytes, guide, ctx: RenderContext) -> bytes:
    """Add the conformance claim, cover, title page, styles, titles and landmarks, then re-zip reproducibly."""
    source = zipfile.ZipFile(io.BytesIO(epub))
    names = source.namelist()
    files = {name: source.read(name) for name in names}
    opf_name = next(n for n in names if n.endswith(".opf"))
    root = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
    opf = files[opf_name].decode("utf-8")
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
        '    <item id="title_page_xhtml" href="text/title_page.xhtml" media-type="application/xhtml+xml" />\n'
        "  </manifest>", 1)
    opf = re.sub(r"(<spine[^>]*>\n)",
                 r'\1    <itemref idref="cover_xhtml" linear="yes" />\n    <itemref idref="title_page_xhtml" />\n',
                 opf, count=1)
    css_name = root + "styles/stylesheet1.css"
    nav_name = root + "nav.xhtml"
    if ("dcterms:conformsTo" not in opf or "title_page_xhtml" not in opf or css_name not in files
            or nav_name not in files):
        raise EpubError("pandoc's package did not have the expected shape")
    titles = _chapter_titles(files)
    files[opf_name] = opf.encode("utf-8")
    files[nav_name] = _landmarks(files[nav_name].decode("utf-8"), root, titles).encode("utf-8")
    files[css_name] = _stylesheet(files[css_name].decode("utf-8")).encode("utf-8")
    extra = {
        root + "media/cover.svg": cover_svg(guide, ctx).encode("utf-8"),
        root + "text/cover.xhtml": _cover_page(guide, ctx.locale).encode("utf-8"),
        root + "text/title_page.xhtml": title_page(guide, ctx).encode("utf-8"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        # The EPUB rule: 'mimetype' first, stored without compression.
        target.writestr(zipfile.ZipInfo("mimetype", ZIP_TIME), b"application/epub+zip",
                        compress_type=zipfile.ZIP_STORED)
        for name in [n for n in names if n != "mimetype"] + sorted(extra):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            target.writestr(info, extra.get(name) or files[name], compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


class EpubFormat(Format):
    name = "epub"
    localized = True
    heavy = True

    def jobs(self, ctx: RenderContext) -> list[Job]:
        return [Job("epub", "guide", f"epub/{slug}.epub", guide=slug) for slug in ctx.library.guides]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        guide = ctx.library.guides[job.guide]
        chapters = _chapters(guide, ctx.library)
        related = sorted({link for item in chapters for link in related_inputs(item, ctx.library)})
        return repr((guide, chapters, related, ctx.publisher, ctx.created, ctx.library.wording))

    def warm_up(self) -> None:
        import pypandoc  # noqa: F401

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        import pypandoc

        with rendering(ctx.library.wording, ctx.locale):
            return self._render(job, ctx)

    def _render(self, job: Job, ctx: RenderContext) -> bytes:
        import pypandoc

        guide = ctx.library.guides[job.guide]
        html = prepare_for_pandoc(guide_html(guide, ctx))
        with tempfile.TemporaryDirectory(prefix="handouts-epub-") as tmp:
            folder = Path(tmp)
            (folder / "metadata.json").write_text(json.dumps(metadata(guide, ctx, has_pictures(html))),
                                                  encoding="utf-8")
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
                        *[f"--epub-embed-font={path}" for path in FONT_FILES],
                        "--epub-title-page=false",
                    ],
                )
            except RuntimeError as exc:
                raise EpubError(f"{job.path}: pandoc failed: {exc}") from exc
            return finish_package(target.read_bytes(), guide, ctx)


register(EpubFormat())
