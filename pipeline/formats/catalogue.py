"""The catalogue page (outputs/index.html): every file a clinic may want, with sizes and review status."""

from __future__ import annotations

from ..locales import language_name, output_prefix
from ..presentation import format_date, format_number, render_template
from . import Format, Job, RenderContext, register
from .hazard_log import PATH as HAZARD_LOG

CONDITION_FILES = (
    # (path pattern, link text, MIME type)
    ("html/{slug}.html", "Web page", None),
    ("pdf/{slug}.pdf", "Printable leaflet, A4 (PDF)", "application/pdf"),
    ("pdf/{slug}.letter.pdf", "Printable leaflet, US Letter (PDF)", "application/pdf"),
    ("pdf/{slug}.large-print.pdf", "Large-print leaflet (PDF)", "application/pdf"),
    ("sms/{slug}.txt", "Text message (plain text)", "text/plain"),
)


def human_size(size: int, locale: str) -> str:
    if size < 1024:
        return f"{format_number(size, locale)} bytes"
    if size < 1024 * 1024:
        return f"{format_number(size / 1024, locale)} KB"
    return f"{format_number(size / 1024 / 1024, locale, 1)} MB"


def _status(item, locale: str) -> str:
    """The item's sign-off status in words."""
    state = item.approval
    latest = state.latest
    if state.status == "approved":
        words = f"approved by {latest.reviewer.name}, {latest.reviewer.credential}"
    elif state.status == "overdue":
        words = f"clinical review overdue since {format_date(latest.next_review, locale)}"
    elif state.status == "changed":
        words = f"changed since clinical review on {format_date(latest.date, locale)}, not yet re-reviewed"
    else:
        words = "draft, not yet clinically reviewed"
    return words


def _dates(item) -> tuple:
    """(last reviewed, next review): the approval's when one is in force, else the editor's."""
    approval = item.approval.in_force
    if approval:
        return approval.date, approval.next_review
    return item.review.last_reviewed, item.review.next_review


def _other_languages(publisher) -> list[tuple[str, str]]:
    """(output folder, language name in English) of each of the publisher's other locales."""
    return [(output_prefix(tag, publisher.locale), language_name(tag)) for tag in publisher.locales
            if output_prefix(tag, publisher.locale)]


def _translated_files(publisher) -> tuple:
    """The files of a condition in the publisher's other locales that are built so far (the text
    message); the other formats join when their templates are localized."""
    return tuple((f"{prefix}sms/{{slug}}.txt", f"Text message in {name} (plain text)", "text/plain")
                 for prefix, name in _other_languages(publisher))


class CatalogueFormat(Format):
    name = "catalogue"
    aggregate = True

    def jobs(self, ctx: RenderContext) -> list[Job]:
        return [Job("catalogue", "index", "index.html")]

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        return repr((ctx.library, ctx.publisher, ctx.listed))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        sizes = dict(ctx.listed)
        locale = ctx.publisher.locale
        library = ctx.library

        conditions = []
        for condition in sorted(library.conditions.values(), key=lambda c: c.title.lower()):
            files = []
            for pattern, label, mime in CONDITION_FILES + _translated_files(ctx.publisher):
                path = pattern.format(slug=condition.slug)
                if path in sizes:  # only link what exists
                    files.append({"href": path, "label": label, "type": mime, "size": human_size(sizes[path], locale)})
            conditions.append({
                "slug": condition.slug,
                "title": condition.title,
                "letter": condition.title[0].lower(),
                "search": f"{condition.title} {condition.medical_name}".lower(),
                "reference": condition.reference,
                "version": condition.approval.version,
                "status": _status(condition, locale),
                "last_reviewed": format_date(_dates(condition)[0], locale),
                "next_review": format_date(_dates(condition)[1], locale),
                "files": files,
            })
        topics = [
            {"href": f"html/{t.slug}.html", "title": t.title, "size": human_size(sizes[f"html/{t.slug}.html"], locale),
             "status": _status(t, locale)}
            for t in sorted(library.topics.values(), key=lambda t: t.title.lower())
            if f"html/{t.slug}.html" in sizes
        ]
        guides = [
            {"href": f"epub/{g.slug}.epub", "title": g.title, "size": human_size(sizes[f"epub/{g.slug}.epub"], locale),
             "status": _status(g, locale), "description": g.description}
            for g in library.guides.values() if f"epub/{g.slug}.epub" in sizes
        ]
        tables = [{"href": path, "label": label, "size": human_size(sizes[path], locale)}
                  for path, label in [("sms/messages.csv", "All text messages (CSV)")] + [
                      (f"{prefix}sms/messages.csv", f"All text messages in {name} (CSV)")
                      for prefix, name in _other_languages(ctx.publisher)]
                  if path in sizes]
        items = [*library.conditions.values(), *library.topics.values(), *library.guides.values()]
        html = render_template(
            "catalogue.html.j2",
            publisher=ctx.publisher,
            conditions=conditions,
            topics=topics,
            guides=guides,
            tables=tables,
            letters=sorted({c["letter"] for c in conditions}),
            drafts=sum(not item.approval.is_approved for item in items),
            hazard_log=human_size(sizes[HAZARD_LOG], locale) if HAZARD_LOG in sizes else None,
        )
        return html.encode("utf-8")


register(CatalogueFormat())
