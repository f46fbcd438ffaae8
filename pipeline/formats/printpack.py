"""The print pack: one ZIP of every leaflet of a locale in the publisher's paper size, for a clinic to print."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import zipfile

from ..interface import pgettext, rendering, translate
from ..locales import language, output_prefix
from ..presentation import format_date, status_word
from . import Format, Job, Listed, RenderContext, all_formats, register

PAPER_NAMES = {"a4": pgettext("paper.a4", "A4"), "letter": pgettext("paper.letter", "US Letter")}
# Every entry gets this time and these permissions, so the same leaflets give the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def paper_size(publisher) -> str:
    """The paper the publisher's clinics print on: "a4" or "letter"."""
    return publisher.paper_size


def paper_name(paper: str) -> str:
    """A paper size as readers of the language being rendered name it: "US Letter", "carta (EE. UU.)"."""
    return translate(f"paper.{paper}", PAPER_NAMES.get(paper, paper))


def title_order(item) -> tuple[str, str]:
    """Where an item sorts in the catalogue and the pack: by title, ignoring case and accents,
    as a reader looks along an alphabetical list ("Coágulo" before "Cojín")."""
    folded = item.title.lower()
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return bare, folded


def page_count(count: int) -> str:
    """ "1 page", "2 pages", in the language being rendered."""
    words = pgettext("pages.one", "{count} page") if count == 1 else pgettext("pages.other", "{count} pages")
    return words.format(count=count)


def pack_path(paper: str) -> str:
    """The pack's path in its locale's folder (the build puts another locale's under es/)."""
    return f"print-pack.{paper}.zip"


def members(ctx: RenderContext) -> list[tuple[object, Listed]]:
    """(item, listed leaflet) of every leaflet of the context's locale that the pack holds, in
    the catalogue's order: conditions then shared topics, each by title. Only leaflets the build
    has are listed: a translated leaflet left out because it does not fit its paper is absent."""
    paper = paper_size(ctx.publisher)
    prefix = output_prefix(ctx.locale, ctx.publisher.locale)
    listed = {entry.path: entry for entry in ctx.listed}
    found = []
    for job in all_formats()["pdf"].jobs(ctx):
        path = prefix + job.path
        if job.variant != paper or path not in listed or not job.subject:
            continue
        kind, slug = job.subject
        item = (ctx.library.conditions if kind == "condition" else ctx.library.topics)[slug]
        found.append((item, listed[path]))
    return sorted(found, key=lambda pair: (pair[0].kind != "condition", title_order(pair[0])))


def readme(ctx: RenderContext, paper: str, leaflets: list[tuple[object, Listed]]) -> str:
    """The pack's README.txt, in the words of the language being rendered (see interface.py)."""
    publisher = ctx.publisher
    locale = ctx.locale
    drafts = sum(not item.approval.is_approved for item, _ in leaflets)
    lines = [
        pgettext("printpack.title", "Print pack from {publisher}").format(publisher=publisher.name),
        pgettext("printpack.made", "Every leaflet on {paper} paper, made {date}.").format(
            paper=paper_name(paper), date=format_date(_day(ctx.created), locale)),
        pgettext("printpack.count", "{count} leaflets. Print each one on both sides of the paper.").format(
            count=len(leaflets)),
        "",
    ]
    if drafts:
        lines += [pgettext("printpack.drafts", "Draft: {count} of these leaflets are not yet clinically reviewed. "
                           "They say so on their first page.").format(count=drafts), ""]
    lines += [pgettext("printpack.leaflets", "Leaflets:")]
    for item, entry in leaflets:
        pages = page_count(entry.pages) if entry.pages else pgettext("printpack.pages-not-counted", "pages not counted")
        lines.append(f"- {entry.path.rsplit('/', 1)[-1]}: {item.title} ({pages}, {status_word(item.approval.status)})")
    lines += [
        "",
        # Another locale's readers are sent to their own catalogue (https://.../es/).
        pgettext("printpack.other-formats", "Large-print leaflets, web pages and text messages: {website}").format(
            website=publisher.website + output_prefix(locale, publisher.locale)),
        pgettext("printpack.questions", "Questions: {phone}").format(phone=publisher.phone),
        "",
        pgettext("printpack.disclaimer", "Each leaflet gives general information. It does not replace advice from "
                 "your doctor or another clinician who knows your health."),
    ]
    return "\n".join(lines) + "\n"


def folder_name(job: Job, ctx: RenderContext) -> str:
    """The folder the pack unzips into: print-pack.letter, and print-pack.letter.es for another
    locale, so that unzipping both in one place overwrites no leaflet with its translation."""
    stem = job.path.rsplit("/", 1)[-1].removesuffix(".zip")
    return stem + (f".{language(ctx.locale)}" if output_prefix(ctx.locale, ctx.publisher.locale) else "")


def _day(created: str) -> dt.date:
    return dt.date.fromisoformat(created[:10])


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.create_system = 3  # Unix, whatever machine builds it
    info.external_attr = 0o644 << 16
    # PDFs are compressed already; storing keeps the bytes independent of the zlib version.
    info.compress_type = zipfile.ZIP_STORED
    return info


class PrintPackFormat(Format):
    name = "printpack"
    aggregate = 1  # before the catalogue, which offers the pack with its size
    localized = True  # one pack per locale, its README in the locale's words

    def jobs(self, ctx: RenderContext) -> list[Job]:
        # A pack exists when the build has leaflets to pack (not after `--format html`, say).
        if not members(ctx):
            return []
        paper = paper_size(ctx.publisher)
        return [Job("printpack", paper, pack_path(paper))]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        leaflets = [(item.title, item.review, item.approval.status, entry) for item, entry in members(ctx)]
        return repr((leaflets, ctx.publisher, ctx.created, ctx.library.wording))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        if ctx.read is None:
            raise ValueError("the print pack needs the build's leaflets to pack")
        leaflets = members(ctx)
        folder = folder_name(job, ctx)
        with rendering(ctx.library.wording, ctx.locale):
            text = readme(ctx, job.variant, leaflets)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as pack:
            pack.writestr(_entry(f"{folder}/README.txt"), text.encode("utf-8"))
            for _item, entry in leaflets:
                data = ctx.read(entry.path)
                if hashlib.sha256(data).hexdigest() != entry.sha256:
                    raise ValueError(f"{entry.path} changed on disk since the build wrote it")
                pack.writestr(_entry(f"{folder}/{entry.path.rsplit('/', 1)[-1]}"), data)
        return out.getvalue()


register(PrintPackFormat())
