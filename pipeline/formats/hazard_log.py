"""The clinical hazard log as a web page (html/hazard-log.html), linked from the catalogue."""

from __future__ import annotations

from ..model import LIKELIHOODS, RISK_MATRIX, SEVERITIES, Risk
from ..presentation import render_template
from . import Format, Job, RenderContext, register

PATH = "html/hazard-log.html"
CONTROL_LABELS = {"lint_rule": "Lint rule", "test": "Test", "red_flag": "Red flag", "schema": "Schema constraint"}


def risk_text(risk: Risk) -> str:
    """A risk in words, so that nothing depends on a colour or a number alone."""
    return (f"{risk.rating} ({risk.name}): {risk.severity} severity, {risk.likelihood} likelihood. "
            f"{risk.acceptance[:1].upper()}{risk.acceptance[1:]}.")


class HazardLogFormat(Format):
    name = "hazard-log"

    def jobs(self, ctx: RenderContext) -> list[Job]:
        return [Job("hazard-log", "page", PATH)] if ctx.library.hazard_log else []

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        log = ctx.library.hazard_log
        flags = {c.target: ctx.library.red_flags.get(c.target) for h in log.hazards for c in h.controls
                 if c.kind == "red_flag"}
        return repr((log, sorted(flags.items()), ctx.publisher, ctx.created))

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        html = render_template(
            "hazard-log.html.j2",
            log=ctx.library.hazard_log,
            publisher=ctx.publisher,
            created=ctx.created,
            red_flags=ctx.library.red_flags,
            severities=SEVERITIES,
            matrix=list(zip(LIKELIHOODS, RISK_MATRIX))[::-1],
            risk_text=risk_text,
            CONTROL_LABELS=CONTROL_LABELS,
        )
        return html.encode("utf-8")


register(HazardLogFormat())
