"""Review packs: what a clinician reads to sign off one item, on screen (HTML) or on paper (PDF).

Built on demand by `handouts review SLUG`, never by a normal build: every statement by
section with its reading level, each warning sign with its basis, open lint findings, a
word-level diff against the last approved version, links to the built handouts, and a
sign-off section.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache

from ..diagnostics import Diagnostic
from ..fingerprint import statements
from ..lint import GRADE_ERROR, GRADE_WARNING, SENTENCE_ERROR, SENTENCE_WARNING
from ..presentation import STYLES_DIR, render_template
from ..readability import grade, sentences, words
from ..terms import fill
from ..worddiff import diff
from . import Format, Job, RenderContext, register, related_inputs

# Sections that are names and references, not prose: no reading level for them.
NOT_PROSE = ("Title", "Leaflet reference", "Medical name", "Sources")
VARIANTS = {"html": ".html", "pdf": ".pdf"}
PDF_FONTS = "\n".join(
    f'@font-face {{ font-family: "Atkinson Hyperlegible"; src: url("fonts/AtkinsonHyperlegible-{name}.ttf"); '
    f'font-weight: {weight}; font-style: {style}; }}'
    for name, weight, style in (("Regular", 400, "normal"), ("Bold", 700, "normal"), ("Italic", 400, "italic"),
                                ("BoldItalic", 700, "italic")))


@dataclass(frozen=True)
class ReviewInputs:
    """What `handouts review` gathers for one item besides the model."""

    source: str  # the item's source file, as messages name it
    findings: tuple[Diagnostic, ...]  # open validation and lint problems in that file
    # The canonical content an approval would cover, and its fingerprint: taken before any
    # publisher's words fill the {placeholders}, so that one approval covers every publisher.
    content: dict
    fingerprint: str
    # (heading, canonical content) of the approved version to compare with; None for a first review.
    compared: tuple[str, dict] | None
    today: dt.date


def _section_measures(texts: list[str]) -> dict:
    found = [s for text in texts for s in sentences(text)]
    lengths = [len(words(s)) for s in found]
    score = round(grade(found), 1)
    longest = max(lengths, default=0)
    notes = []
    if score > GRADE_ERROR:
        notes.append(f"above grade {GRADE_ERROR:.0f}: lint error")
    elif score > GRADE_WARNING:
        notes.append(f"above grade {GRADE_WARNING:.0f}: lint warning")
    if longest > SENTENCE_ERROR:
        notes.append(f"a sentence over {SENTENCE_ERROR} words: lint error")
    elif longest > SENTENCE_WARNING:
        notes.append(f"a sentence over {SENTENCE_WARNING} words: lint warning")
    return {
        "grade": score,
        "sentences": len(found),
        "mean": round(sum(lengths) / len(lengths), 1) if lengths else 0,
        "longest": longest,
        "notes": notes,
    }


def grouped(items: list[tuple[str, str]]) -> list[dict]:
    """Statements by section, in reading order, with each prose section's reading level."""
    sections: list[dict] = []
    for section, text in items:
        if not sections or sections[-1]["name"] != section:
            sections.append({"name": section, "texts": []})
        sections[-1]["texts"].append(text)
    for section in sections:
        prose = section["name"] not in NOT_PROSE and not section["name"].startswith("Pages it shows")
        section["measures"] = _section_measures(section["texts"]) if prose else None
    return sections


def basis_line(basis) -> str:
    """One recorded basis in words: the guidance page and when it was read, or the seed article."""
    if basis.seed:
        return f"Seed article: {basis.seed}"
    parts = [basis.publisher, f'"{basis.title}"' if basis.title else None, basis.url,
             f"consulted {basis.consulted.isoformat()}" if basis.consulted else None]
    return ", ".join(part for part in parts if part)


def warning_signs(item, library, publisher) -> list[dict]:
    """Each care level's signs: the shared red flags with their recorded basis, then the
    condition's own signs (whose basis is the condition's sources)."""
    blocks = []
    for block in getattr(item, "care", ()):
        ids = tuple(getattr(block, "red_flags", ()))
        signs = []
        for index, text in enumerate(block.signs):
            if index < len(ids) and ids[index] in library.red_flags:
                flag = library.red_flags[ids[index]]
                signs.append({"text": text, "flag": flag.id, "basis": [basis_line(b) for b in flag.basis]})
            else:
                signs.append({"text": text, "flag": None, "basis": []})
        blocks.append({"level": block.level, "heading": publisher.care_headings.get(block.level, ""),
                       "signs": signs})
    return blocks


def links(kind: str, slug: str) -> list[tuple[str, str]]:
    """(path from outputs/review/, label) of the built handouts for the item."""
    if kind == "guide":
        return [(f"../epub/{slug}.epub", "EPUB guide")]
    found = [(f"../html/{slug}.html", "Web page")]
    if kind == "condition":
        found += [(f"../pdf/{slug}.a4.pdf", "Leaflet, A4 (PDF)"), (f"../pdf/{slug}.letter.pdf", "Leaflet, US Letter (PDF)"),
                  (f"../pdf/{slug}.large-print.a4.pdf", "Large-print leaflet, A4 (PDF)"),
                  (f"../pdf/{slug}.large-print.letter.pdf", "Large-print leaflet, US Letter (PDF)"),
                  (f"../sms/{slug}.txt", "Text message")]
    return found


def pack_html(item, kind: str, inputs: ReviewInputs, ctx: RenderContext, variant: str) -> str:
    terms = ctx.publisher.terms

    def shown(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        # Statements as this publisher's readers see them ({physio} -> "physical therapist").
        return [(fill(section, terms), fill(text, terms)) for section, text in items]

    now = statements(inputs.content)
    changes = None
    if inputs.compared is not None:
        heading, old = inputs.compared
        # Compared before filling, so a publisher's words never show as changes.
        found = [dataclasses.replace(change, section=fill(change.section, terms),
                                     parts=tuple((op, fill(text, terms)) for op, text in change.parts))
                 for change in diff(statements(old), now)]
        changes = {"heading": heading, "items": found}
    state = item.approval
    return render_template(
        "review.html.j2",
        item=item,
        kind=kind,
        variant=variant,
        publisher=ctx.publisher,
        inputs=inputs,
        fingerprint=inputs.fingerprint,
        state=state,
        sections=grouped(shown(now)),
        warnings=warning_signs(item, ctx.library, ctx.publisher),
        changes=changes,
        links=links(kind, item.slug),
        page_url=ctx.publisher.page_url(item.slug) if kind != "guide" else "",
        created=ctx.created,
        style=(STYLES_DIR / "review.css").read_text(encoding="utf-8"),
    )


@lru_cache(maxsize=None)
def _stylesheet():
    from .pdf import warm_weasyprint

    weasyprint, fonts, fetcher, base, _sheets = warm_weasyprint()
    # The pack's own styles are inlined in its HTML; the PDF adds the bundled font.
    return weasyprint.CSS(string=PDF_FONTS, base_url=base, url_fetcher=fetcher, font_config=fonts)


def _subject(job: Job, ctx: RenderContext):
    if job.guide:
        return "guide", ctx.library.guides[job.guide]
    kind, slug = job.subject
    return kind, ctx.library.item(kind, slug)


class ReviewFormat(Format):
    name = "review"
    on_demand = True

    def jobs(self, ctx: RenderContext) -> list[Job]:
        jobs = []
        for kind, slug in ctx.extras:
            for variant, suffix in VARIANTS.items():
                path = f"review/{slug}{suffix}"
                if kind == "guide":
                    jobs.append(Job("review", variant, path, guide=slug))
                else:
                    jobs.append(Job("review", variant, path, condition=slug if kind == "condition" else None,
                                    subject=(kind, slug)))
        return jobs

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        kind, item = _subject(job, ctx)
        return repr((job.variant, item, related_inputs(item, ctx.library) if kind != "guide" else (),
                     ctx.extras[(kind, item.slug)], ctx.publisher, ctx.created))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        kind, item = _subject(job, ctx)
        inputs = ctx.extras[(kind, item.slug)]
        if job.variant == "html":
            return pack_html(item, kind, inputs, ctx, "web").encode("utf-8")
        from .pdf import RenderError, _Collect, warm_weasyprint

        weasyprint, fonts, fetcher, base, _sheets = warm_weasyprint()
        html = pack_html(item, kind, inputs, ctx, "print")
        collector = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        try:
            data = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(
                stylesheets=[_stylesheet()], font_config=fonts, pdf_variant="pdf/ua-1",
                pdf_identifier=hashlib.sha256(html.encode()).hexdigest()[:32].encode())
        except Exception as exc:  # WeasyPrint raises many kinds; all are this pack's failure
            raise RenderError(f"{job.path} ({item.slug}): WeasyPrint failed: {exc}") from exc
        finally:
            logger.removeHandler(collector)
        if collector.records:
            raise RenderError(f"{job.path} ({item.slug}): WeasyPrint reported: "
                              + "; ".join(r.getMessage() for r in collector.records))
        return data


register(ReviewFormat())
