"""SMS summaries: one GSM-7 message per condition, and a CSV table for bulk-sending platforms."""

from __future__ import annotations

import csv
import io

from ..model import Condition, Publisher
from ..sms_encoding import encode, to_plain
from . import Format, Job, RenderContext, register


def compose(condition: Condition, publisher: Publisher) -> str:
    """The message as sent: sender first, the action, the emergency sign, the page's address last."""
    parts = [f"{publisher.sms_sender}: {condition.sms.message}"]
    if condition.sms.emergency_sign:
        parts.append(f"{condition.sms.emergency_sign}? Call {publisher.emergency_number} now.")
    parts.append(publisher.page_url(condition.slug))
    return to_plain(" ".join(parts))


class SmsFormat(Format):
    name = "sms"

    def jobs(self, ctx: RenderContext) -> list[Job]:
        jobs = [Job("sms", "message", f"sms/{slug}.txt", condition=slug, subject=("condition", slug))
                for slug in ctx.library.conditions]
        jobs.append(Job("sms", "table", "sms/messages.csv"))
        return jobs

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        if job.variant == "table":
            return repr(([(c.slug, c.reference, c.title, c.sms, c.approval) for c in ctx.library.conditions.values()],
                         ctx.publisher))
        condition = ctx.library.conditions[job.condition]
        return repr((condition.slug, condition.sms, ctx.publisher))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        if job.variant == "table":
            return self._table(ctx)
        return compose(ctx.library.conditions[job.condition], ctx.publisher).encode("utf-8")

    def _table(self, ctx: RenderContext) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["slug", "reference", "version", "title", "message", "encoding", "septets", "segments",
                         "status"])
        for condition in ctx.library.conditions.values():
            message = compose(condition, ctx.publisher)
            cost = encode(message)
            # A cell starting with = + - @ would run as a formula in a spreadsheet.
            writer.writerow([condition.slug, condition.reference, condition.approval.version, _cell(condition.title),
                             _cell(message), cost.encoding, cost.units, cost.segments, condition.approval.status])
        return out.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


register(SmsFormat())
