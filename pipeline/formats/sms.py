"""SMS summaries: one GSM-7 message per condition, and a CSV table for bulk-sending platforms."""

from __future__ import annotations

import csv
import io

from ..interface import pgettext
from ..model import Condition, Publisher, Wording
from ..sms_encoding import encode, to_plain
from . import Format, Job, RenderContext, register

ENGLISH = Wording()
# The line after the emergency sign; the number comes from the publisher profile.
EMERGENCY_LINE = pgettext("sms.emergency-line", "{sign}? Call {number} now.")


def compose(condition: Condition, publisher: Publisher, wording: Wording = ENGLISH) -> str:
    """The message as sent: sender first, the action, the emergency sign, the page's address last,
    in the language of `wording` (the condition is already in it)."""
    parts = [f"{publisher.sms_sender}: {condition.sms.message}"]
    if condition.sms.emergency_sign:
        line = wording.pgettext("sms.emergency-line", EMERGENCY_LINE)
        parts.append(line.format(sign=condition.sms.emergency_sign, number=publisher.emergency_number))
    parts.append(publisher.page_url(condition.slug, wording.locale))
    return to_plain(" ".join(parts))


class SmsFormat(Format):
    name = "sms"
    localized = True

    def jobs(self, ctx: RenderContext) -> list[Job]:
        jobs = [Job("sms", "message", f"sms/{slug}.txt", condition=slug, subject=("condition", slug))
                for slug in ctx.library.conditions]
        jobs.append(Job("sms", "table", "sms/messages.csv"))
        return jobs

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        if job.variant == "table":
            return repr(([(c.slug, c.reference, c.title, c.sms, c.approval) for c in ctx.library.conditions.values()],
                         ctx.publisher, ctx.library.wording))
        condition = ctx.library.conditions[job.condition]
        return repr((condition.slug, condition.sms, ctx.publisher, ctx.library.wording))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        if job.variant == "table":
            return self._table(ctx)
        return compose(ctx.library.conditions[job.condition], ctx.publisher, ctx.library.wording).encode("utf-8")

    def _table(self, ctx: RenderContext) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        # "septets" holds UTF-16 units when the encoding is UCS-2 (as the sms command says).
        writer.writerow(["slug", "locale", "reference", "version", "title", "message", "encoding", "septets",
                         "segments", "status"])
        for condition in ctx.library.conditions.values():
            message = compose(condition, ctx.publisher, ctx.library.wording)
            cost = encode(message)
            # A cell starting with = + - @ would run as a formula in a spreadsheet.
            writer.writerow([condition.slug, ctx.locale, condition.reference, condition.approval.version,
                             _cell(condition.title), _cell(message), cost.encoding, cost.units, cost.segments,
                             condition.approval.status])
        return out.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


register(SmsFormat())
