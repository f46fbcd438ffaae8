"""The output formats: one module each, registered here by name.

A format plans its jobs from the content model and renders one job to bytes. It never
reads sources and never writes files: the build does both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, NamedTuple

from ..model import FrozenMap, Library, Publisher


@dataclass(frozen=True)
class Job:
    """One artifact to produce."""

    format: str
    variant: str
    path: str  # relative to the output folder, with '/' separators
    condition: str | None = None
    guide: str | None = None
    # The condition or topic this job renders, as (kind, slug), when there is one.
    subject: tuple[str, str] | None = None
    # The locale rendered (the build sets it; a format plans its jobs without knowing it).
    locale: str | None = None


class Listed(NamedTuple):
    """One artifact of the build, as aggregate formats see it."""

    path: str
    bytes: int
    sha256: str = ""
    pages: int | None = None  # for PDFs (see Format.describe)


@dataclass(frozen=True)
class RenderContext:
    """Everything a renderer may use besides the job itself."""

    library: Library
    publisher: Publisher
    # ISO timestamp written into documents that record a date (from SOURCE_DATE_EPOCH).
    created: str
    # For aggregate formats only: every artifact of the formats below them, sorted by path,
    # and a reader of an artifact's bytes (the print pack packs the leaflets themselves).
    listed: tuple[Listed, ...] = ()
    read: Callable[[str], bytes] | None = field(default=None, repr=False, compare=False)
    # For on-demand formats only: what the command gathered besides the model, by (kind, slug).
    extras: Mapping = field(default_factory=FrozenMap)
    # What each locale of this build holds: {locale: frozenset of (kind, slug)}; a page links
    # its other languages (hreflang, the language switch) only where they are built.
    built_in: Mapping = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        # Renderers see only text filled with this publisher's words ({physio} ->
        # "physiotherapist"), whoever made the context.
        object.__setattr__(self, "library", self.library.for_publisher(self.publisher))

    @property
    def locale(self) -> str:
        """The locale this context renders: the library's wording says which, else the
        publisher's primary locale."""
        return self.library.wording.locale or self.publisher.locale


class Format:
    """Base class: subclasses set `name`, plan jobs and render them.

    A format does not list the files it uses: every artifact's fingerprint covers the whole
    package, its schemas and the libraries that render (see pipeline/toolchain.py). What a
    format does say is which part of the content model a job shows (`inputs`).
    """

    name: str = ""
    # 0 for a format rendered from the content model. An aggregate format lists the outputs of
    # the others and runs after them, in order of this level: the print pack (1) packs the
    # leaflets, then the catalogue (2) lists everything, the print pack included.
    aggregate: int = 0
    # Costly enough (tens of milliseconds or more) to send to a worker process.
    heavy: bool = False
    # Takes every word it writes from the content model and its Wording (no fixed English),
    # so the build plans its jobs in every locale of the publisher, not the primary one only.
    localized: bool = False
    # Built only when a command asks for it (the review pack), never by a normal build.
    on_demand: bool = False

    def jobs(self, ctx: RenderContext) -> list[Job]:
        raise NotImplementedError

    def render(self, job: Job, ctx: RenderContext) -> bytes:
        raise NotImplementedError

    def inputs(self, job: Job, ctx: RenderContext) -> str:
        """A stable text of everything in the content model that this job's bytes depend on:
        with the job and the toolchain, its fingerprint. By default, all of it."""
        return repr((ctx.library, ctx.publisher, ctx.created))

    def warm_up(self) -> None:
        """Load what rendering needs, once per worker process."""

    def left_out(self, job: Job, error: str) -> bool:
        """Whether a job that failed with `error` is left out with a notice instead of failing
        the build (a translated leaflet that does not fit its paper)."""
        return False

    def describe(self, job: Job, data: bytes) -> dict[str, int]:
        """Facts about rendered bytes that the build records for aggregate formats."""
        return {}


REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    if not fmt.name:
        raise ValueError(f"{type(fmt).__name__} has no name")
    if fmt.name in REGISTRY:
        raise ValueError(f"a format named {fmt.name!r} is already registered")
    REGISTRY[fmt.name] = fmt
    return fmt


def related_inputs(item, library) -> list[tuple[str, str, str, bool]]:
    """The pages an item names, as its page shows them: each one's title, and whether it is
    withheld (a release names a page it leaves out without linking to it, so a page whose
    neighbour is left out or comes back must be rebuilt)."""
    return [(kind, slug, title, library.is_withheld(kind, slug)) for kind, slug, title in library.related(item)]


def subject_inputs(item, ctx: RenderContext) -> str:
    """What a page about one item depends on: the item, the pages it names, the publisher."""
    return repr((item, related_inputs(item, ctx.library), ctx.publisher, ctx.created, ctx.library.wording))


def all_formats() -> dict[str, Format]:
    """Every registered format, importing the modules that register them."""
    from . import catalogue, epub, hazard_log, html, pdf, printpack, review, sms  # noqa: F401  (import registers)

    return REGISTRY
