"""Every localized format in Spanish (issue 14, phase 2), from the fixture's complete translation:
web pages and leaflets under es/, in Spanish around the content too, tagged with their language,
linked to their English twins; a Spanish leaflet that does not fit its paper left out with a
notice; and every Spanish sentence of a condition in every Spanish format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile

import pytest

from conftest import copy_project, first_build_notices, manifest
from textfields import condition_texts, html_text, missing, normalize, pdf_text
from pipeline.build import BuildOptions, build
from pipeline.formats import Job, RenderContext
from pipeline.formats.html import HtmlFormat
from pipeline.formats.pdf import PdfFormat
from pipeline.model import Wording
from pipeline.project import Project

SPANISH_WORDS = ("Qué es", "Señales y síntomas", "Cuándo pedir ayuda", "Sobre esta hoja informativa",
                 "Esta hoja da información general")


@pytest.fixture
def spanish(fixture_built):
    """The fixture's shared first build, English and Spanish (never to be edited: copy it):
    (project, outputs, what that build told its user)."""
    return fixture_built, fixture_built / "outputs", first_build_notices(fixture_built)


def spanish_library(project):
    checked = Project(project).checked()
    library = checked.locale_build(Project(project), "us-default", "es-US", dt.date.today()).library
    return library.for_publisher(library.publishers["us-default"])


def test_spanish_pages_say_their_language_and_link_their_twins(spanish):
    _, out, _ = spanish
    es = (out / "es/html/dvt.html").read_text(encoding="utf-8")
    en = (out / "html/dvt.html").read_text(encoding="utf-8")
    assert '<html lang="es-US"' in es and '<html lang="en-US"' in en
    alternates = ['<link rel="alternate" hreflang="en-US" href="https://knee.example/html/dvt.html">',
                  '<link rel="alternate" hreflang="es-US" href="https://knee.example/es/html/dvt.html">',
                  '<link rel="alternate" hreflang="x-default" href="https://knee.example/html/dvt.html">']
    for page in (es, en):
        assert all(link in page for link in alternates)
    # The visible switch names each language in itself, with its own lang.
    assert '<a href="../../html/dvt.html" hreflang="en-US" lang="en-US">English</a>' in es
    assert '<span lang="es-US" aria-current="page">Español</span>' in es
    assert '<a href="../es/html/dvt.html" hreflang="es-US" lang="es-US">Español</a>' in en
    # Shared assets, not a copy per language.
    assert 'href="../../html/assets/site.css"' in es and not (out / "es/html/assets").exists()
    assert '"inLanguage": "es-US"' in es and '"url": "https://knee.example/es/html/dvt.html"' in es
    # The sources are cited as published, in English: each citation says so on the Spanish page.
    citations = re.findall(r'<ul class="sources">(.*?)</ul>', es, re.S)[0]
    items = re.findall(r"<li( lang=\"en-US\")?>", citations)
    assert items and all(items), citations
    assert '<li lang="en-US">' not in en


def test_the_wording_around_the_content_is_spanish_and_the_english_stays_english(spanish):
    _, out, _ = spanish
    es = html_text((out / "es/html/dvt.html").read_text(encoding="utf-8"))
    en = html_text((out / "html/dvt.html").read_text(encoding="utf-8"))
    for words in SPANISH_WORDS:
        assert normalize(words) in es and normalize(words) not in en
    for words in ("What it is", "Signs and symptoms", "When to get help", "About this handout",
                  "Draft: not yet clinically reviewed.", "Where it hurts:"):
        assert normalize(words) in en and normalize(words) not in es
    # Dates in Spanish words (Babel).
    assert re.search(r"Última revisión: \d{1,2} de [a-z]+ de \d{4}\.", es)
    assert "Dónde duele: en la pantorrilla y detrás de la rodilla." in es


def test_every_spanish_sentence_reaches_every_spanish_format(spanish):
    project, out, _ = spanish
    library = spanish_library(project)
    assert set(library.conditions) == {"dvt", "calf-strain"}
    for slug, condition in library.conditions.items():
        page = html_text((out / f"es/html/{slug}.html").read_text(encoding="utf-8"))
        assert missing(condition_texts(condition), page) == [], slug
        leaflets = sorted((out / "es/pdf").glob(f"{slug}.*pdf"))
        assert leaflets, slug
        for leaflet in leaflets:
            assert missing(condition_texts(condition, paper=True), pdf_text(leaflet)) == [], leaflet.name
        assert normalize(condition.sms.message) in normalize((out / f"es/sms/{slug}.txt").read_text(encoding="utf-8"))


def test_spanish_leaflets_are_tagged_spanish(spanish):
    import pikepdf

    _, out, _ = spanish
    with pikepdf.open(out / "es/pdf/price-method.letter.pdf") as doc:
        assert str(doc.Root.Lang) == "es-US"
    with pikepdf.open(out / "pdf/price-method.letter.pdf") as doc:
        assert str(doc.Root.Lang) == "en-US"
    text = pdf_text(out / "es/pdf/price-method.letter.pdf")
    assert "Léala en internet" in text and "Su clínica" in text and "Read this online" not in text


def test_a_spanish_leaflet_that_does_not_fit_is_left_out_with_a_notice(spanish):
    _, out, notices = spanish
    left_out = [n for n in notices if n.rule == "translation-does-not-fit"]
    assert left_out, "the fixture's Spanish DVT runs longer than one sheet of A4"
    for notice in left_out:
        assert notice.path.startswith("sources/locales/es/conditions/") and notice.severity == "warning"
        path = re.search(r"\((es/pdf/\S+\.pdf) is not built\)", notice.message).group(1)
        # Item, locale, paper and how far over, in the numbers of the English message.
        assert re.search(r"has no (a4|letter|large-print\.\w+) leaflet in es-US", notice.message)
        assert re.search(r"at \d+ pt it needs \d\.\d\d pages where 2 are allowed, \d\.\d\d of a page over", notice.message)
        assert not (out / path).exists()
        listed = {a["path"] for a in manifest(out)["artifacts"]}
        assert path not in listed
        assert f'href="{path}"' not in (out / "index.html").read_text(encoding="utf-8")
    # The web page is built all the same, and the catalogue links it.
    assert (out / "es/html/dvt.html").exists()
    assert 'href="es/html/dvt.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_a_left_out_leaflet_is_not_rendered_again_until_it_changes(spanish, tmp_path, cli):
    """Each try of a leaflet that does not fit costs about a second: the build state remembers it
    with its fingerprint, and later builds repeat its notice instead of rendering it again."""
    import json
    import shutil

    from conftest import edit_source

    project = tmp_path / "copy"
    shutil.copytree(spanish[0], project)
    out = project / "outputs"
    state = json.loads((out / ".handouts/state.json").read_text(encoding="utf-8"))
    left = set(state["skipped"])
    assert left and all(path.startswith("es/pdf/") for path in left), state["skipped"]
    notices = sorted(n for n in spanish[2] if n.rule == "translation-does-not-fit")
    assert {re.search(r"\((\S+) is not built\)", n.message).group(1) for n in notices} == left

    def again(**options):
        report = build(Project(project), BuildOptions(out_dir=out, workers=1, **options))
        assert not report.failed, [o.error for o in report.failed]
        return report

    def left_out(report):
        return {o.job.path: o for o in report.outcomes if o.status == "skipped"}

    # Something to do elsewhere (another publisher's profile changed): no leaflet is rendered.
    edit_source(project / "sources/publishers/uk-example.yaml", "name: Knee Pain Handouts UK",
                "name: Knee Pain Handouts United Kingdom")
    dry = cli("build", "--dry-run", "--out", str(out), project_dir=project)
    assert not re.search(r"^would build .*es/pdf/", dry.output, re.M), dry.output
    for path in left:
        assert re.search(rf"^left out\s+pdf\s+{re.escape(path)}: .*does not fit", dry.output, re.M), dry.output
    for report in (again(), again()):  # the second finds nothing to do at all
        assert not [o.job.path for o in report.outcomes if o.status == "built" and o.job.format == "pdf"]
        assert set(left_out(report)) == left
        assert all(o.seconds == 0 and "does not fit" in o.error for o in left_out(report).values())
        # The user still sees why on every build, word for word.
        assert sorted(n for n in report.notices if n.rule == "translation-does-not-fit") == notices
        assert not left & {a["path"] for a in manifest(out)["artifacts"]}
        assert not any((out / path).exists() for path in left)
    # --force tries them again...
    forced = left_out(again(force=True, formats=("pdf",), only=("dvt",)))
    assert {path for path, o in forced.items() if o.reason == "forced (--force)"} == {p for p in left if "dvt" in p}
    # ...and so does an edit of the item's Spanish text.
    edit_source(project / "sources/locales/es/conditions/dvt.po", 'msgstr "A veces, fiebre"',
                'msgstr "A veces hay fiebre"')
    report = again()
    retried = {path: o for path, o in left_out(report).items() if o.reason == "its content changed"}
    assert set(retried) == {p for p in left if "/dvt." in p} and all(o.seconds > 0 for o in retried.values())
    assert sorted(n for n in report.notices if n.rule == "translation-does-not-fit") == notices


def test_an_english_leaflet_that_does_not_fit_still_fails_the_build():
    error = "{}: does not fit: at 12 pt it needs 2.15 pages where 2 are allowed, 0.15 of a page over."
    pdf = PdfFormat()
    english = Job("pdf", "a4", "pdf/dvt.a4.pdf", locale="en-US")
    translated = Job("pdf", "a4", "es/pdf/dvt.a4.pdf", locale="es-US")
    assert not pdf.left_out(english, error.format("pdf/dvt.a4.pdf (dvt)"))
    assert pdf.left_out(translated, error.format("es/pdf/dvt.a4.pdf (dvt)"))
    # Any other failure of a Spanish leaflet is a failure.
    assert not pdf.left_out(translated, "es/pdf/dvt.a4.pdf (dvt): WeasyPrint failed: boom")


def test_manifest_entries_carry_their_locale(spanish):
    _, out, _ = spanish
    for artifact in manifest(out)["artifacts"]:
        assert artifact["locale"] == ("es-US" if artifact["path"].startswith("es/") else "en-US"), artifact["path"]


def test_a_translation_is_text_never_markup(spanish):
    """Autoescape stays on for translations: a translator's '<' is shown, not obeyed."""
    project, _, _ = spanish
    library = spanish_library(project)
    hostile = dataclasses.replace(library, wording=Wording("es-US", {**library.wording.translations,
                                                                     "page.what-it-is": "Qué <b>es</b>"}))
    ctx = RenderContext(hostile, hostile.publishers["us-default"], "2026-11-21T00:00:00+00:00")
    job = Job("html", "page", "es/html/dvt.html", condition="dvt", subject=("condition", "dvt"), locale="es-US")
    page = HtmlFormat().render(job, ctx).decode("utf-8")
    assert "Qué &lt;b&gt;es&lt;/b&gt;" in page and "<b>es</b>" not in page


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 320])
def test_spanish_pages_have_no_axe_violations(spanish, axe_page, width):
    from browser import axe_problems

    _, out, _ = spanish
    pages = sorted((out / "es/html").glob("*.html"))
    assert len(pages) == 4
    for path in pages:
        assert axe_problems(axe_page, path.as_uri(), width) == [], path.name


def test_a_partial_preview_says_so_in_every_localized_format(tmp_path):
    """--allow-partial builds an item whose translation is incomplete, English in the gaps, and
    every page of it says so at the top; a normal build leaves the item out instead."""
    from conftest import edit_source

    project = copy_project(tmp_path / "project")
    edit_source(project / "sources/conditions/dvt.yaml", "  - Sometimes a fever", "  - Sometimes a fever or chills")
    out = project / "outputs"
    options = dict(out_dir=out, workers=2, formats=("html", "pdf", "epub"), only=("dvt", "small-guide"))
    report = build(Project(project), BuildOptions(**options))
    assert not (out / "es/html/dvt.html").exists()
    assert any(n.rule == "translation-incomplete" and "'dvt'" in n.message for n in report.notices)
    report = build(Project(project), BuildOptions(**options, allow_partial=True))
    assert not report.failed, [o.error for o in report.failed]
    banner = "Vista previa: parte de este texto aún no está traducida y se muestra en inglés."
    page = html_text((out / "es/html/dvt.html").read_text(encoding="utf-8"))
    assert banner in page and "Sometimes a fever or chills" in page
    # The English in the gap says its language (WCAG 3.1.2), on the page and in the e-book;
    # the Spanish around it does not.
    marked = re.compile(r'<span lang="en-US">([^<]*)</span>')
    assert marked.findall((out / "es/html/dvt.html").read_text(encoding="utf-8")) == ["Sometimes a fever or chills"]
    with zipfile.ZipFile(out / "es/epub/small-guide.epub") as book:
        chapters = [book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xhtml")]
    assert [text for chapter in chapters for text in marked.findall(chapter)] == ["Sometimes a fever or chills"]
    assert "Hinchazón en la pierna" in "".join(chapters)
    leaflets = sorted((out / "es/pdf").glob("dvt.*pdf"))
    assert leaflets
    for leaflet in leaflets:
        assert banner in pdf_text(leaflet), leaflet.name
    # The English and the complete Spanish items have no banner.
    assert "Vista previa" not in html_text((out / "html/dvt.html").read_text(encoding="utf-8"))
    assert "Preview:" not in html_text((out / "html/dvt.html").read_text(encoding="utf-8"))


def test_english_in_a_preview_leaflet_says_its_language_and_stays_text(tmp_path):
    """The leaflet's HTML marks the English kept in a preview with lang="en-US" (WeasyPrint
    hyphenates it as English); the mark is escaped text like any other, never markup."""
    from conftest import edit_source
    from pipeline.formats.html import render_page
    from pipeline.model import InEnglish

    project = copy_project(tmp_path / "project")
    edit_source(project / "sources/conditions/dvt.yaml", "  - Sometimes a fever", "  - Sometimes a <b>fever</b> & chills")
    checked = Project(project).checked()
    library = checked.locale_build(Project(project), "us-default", "es-US", dt.date.today(), allow_partial=True).library
    library = library.for_publisher(library.publishers["us-default"])
    dvt = library.conditions["dvt"]
    assert [s for s in dvt.symptoms if isinstance(s, InEnglish)] == ["Sometimes a <b>fever</b> & chills"]
    ctx = RenderContext(library, library.publishers["us-default"], "2026-11-21T00:00:00+00:00")
    html = render_page(dvt, ctx, variant="print", link=lambda kind, slug: f"{slug}.pdf")
    assert '<span lang="en-US">Sometimes a &lt;b&gt;fever&lt;/b&gt; &amp; chills</span>' in html
    assert "<b>fever</b>" not in html and html.count('<span lang="en-US">') == 1
    # Filled with the publisher's words, still English, still marked.
    marked = InEnglish("Ask your {physio}", "en-US")
    from pipeline.model import fill_terms
    filled = fill_terms(marked, {"physio": "physical therapist"})
    assert isinstance(filled, InEnglish) and (filled, filled.lang) == ("Ask your physical therapist", "en-US")


def test_the_spanish_guide_is_spanish_and_holds_every_spanish_sentence(spanish):
    import zipfile

    from textfields import epub_text, topic_texts

    project, out, _ = spanish
    library = spanish_library(project)
    book = out / "epub/small-guide.epub"
    spanish_book = out / "es/epub/small-guide.epub"
    with zipfile.ZipFile(spanish_book) as epub:
        opf = epub.read(next(n for n in epub.namelist() if n.endswith(".opf"))).decode("utf-8")
        title_page = epub.read(next(n for n in epub.namelist() if n.endswith("title_page.xhtml"))).decode("utf-8")
    assert "<dc:language>es-US</dc:language>" in opf and 'lang="es-US"' in title_page
    assert "Todavía sin aprobar:" in title_page
    text = epub_text(spanish_book)
    guide = library.guides["small-guide"]
    for chapter in guide.chapters:
        item = library.item(chapter.kind, chapter.slug)
        fields = condition_texts(item) if chapter.kind == "condition" else topic_texts(item)
        assert missing(fields, text) == [], chapter.slug
    for words in ("Introducción", "Sobre esta guía", "De dónde vienen los datos", "Esta guía da información general"):
        assert normalize(words) in text
    assert "About this guide" not in text and "About this guide" in epub_text(book)


def test_the_spanish_guide_passes_epubcheck(spanish):
    from epubcheck_run import epubcheck_findings

    _, out, _ = spanish
    assert epubcheck_findings(out / "es/epub/small-guide.epub") == (0, [])


@pytest.mark.slow
def test_daisy_ace_reports_nothing_serious_on_the_spanish_guide(spanish, tmp_path):
    import json
    import subprocess

    from conftest import ROOT

    ace = ROOT / ".tools" / "node_modules" / ".bin" / "ace-puppeteer"
    assert ace.exists(), "DAISY Ace is installed by 'make test' (.tools/)"
    _, out, _ = spanish
    env = {"PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([str(ace), "-f", "-o", str(tmp_path / "report"), str(out / "es/epub/small-guide.epub")],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    serious = [f"{a['earl:result']['earl:outcome']} {a['earl:test']['earl:impact']}: {a['earl:test']['dct:title']}"
               for assertion in report.get("assertions", []) for a in assertion.get("assertions", [])
               if a["earl:test"]["earl:impact"] in ("serious", "critical")]
    assert serious == []
    assert report["earl:result"]["earl:outcome"] == "pass"


# --- the catalogue and the print pack of each locale ------------------------------------------

# The English catalogue's wording: none of it may show in the Spanish one.
ENGLISH_CATALOGUE_WORDS = (
    "All handouts", "Skip to main content", "Show handouts in", "Handouts about pain behind the knee",
    "Not yet approved", "Print every leaflet", "Download the print pack", "Conditions", "Shared advice",
    "Show conditions by where it hurts", "Anywhere", "Behind the knee", "Calf", "Search by plain or medical name",
    "Medical name", "Leaflet", "Large-print leaflet", "US Letter", "Web page", "Text message", "plain text",
    "pages", "Status:", "draft, not yet clinically reviewed", "approved by", "Last reviewed", "Next review due",
    "Also in", "in Spanish", "E-book guides", "For bulk text messaging", "All text messages",
    "How we keep these handouts safe", "Every handout here", "Phone:", "Website:", "Text is set in", "Files for",
    "Where it hurts", "is marked",
)


def left_out(notices) -> set[str]:
    """The Spanish leaflets a build left out because they do not fit their paper, as its notices say."""
    return {re.search(r"\((es/pdf/\S+\.pdf) is not built\)", notice.message).group(1)
            for notice in notices if notice.rule == "translation-does-not-fit"}


def readable_words(markup: str) -> str:
    """Everything a reader or a screen reader meets in a page, in the page's own language: the
    text, the title, alt texts, labels and the description; not what an element marks as being
    in another language (a language named in itself), nor script and style."""
    import lxml.html

    root = lxml.html.fromstring(markup)
    own = root.get("lang")
    for element in root.xpath("//script | //style | //*[@lang]"):
        if element.get("lang") != own and element is not root:
            element.drop_tree()
    words = [root.text_content()]
    words += root.xpath("//@alt | //@aria-label | //meta[@name='description']/@content | //@data-words")
    return normalize(" ".join(words))


def resolve(base: str, href: str) -> str | None:
    """The output path a relative link from `base` leads to (None for an absolute address)."""
    import posixpath
    from urllib.parse import urldefrag

    href = urldefrag(href)[0]
    if not href or re.match(r"^[a-z]+:", href):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), href))


def links(out, page: str) -> list[str]:
    import lxml.html

    root = lxml.html.fromstring((out / page).read_text(encoding="utf-8"))
    found = [resolve(page, value) for value in root.xpath("//a/@href | //link[@rel='stylesheet']/@href | //img/@src")]
    return [path for path in found if path]


def test_the_spanish_catalogue_is_spanish_in_every_word(spanish):
    _, out, _ = spanish
    es = (out / "es/index.html").read_text(encoding="utf-8")
    assert '<html lang="es-US">' in es
    words = readable_words(es)
    for english in ENGLISH_CATALOGUE_WORDS:
        assert english not in words, english
    for spanish_words in ("Todas las hojas informativas", "Ver hojas informativas en:", "Imprima todas las hojas",
                          "Problemas de salud", "Consejos comunes", "Hoja para imprimir, A4", "Página web",
                          "Mensaje de texto", "Estado: borrador, todavía sin revisión médica.",
                          "Hoja en letra grande, carta (EE. UU.)", "Dónde duele: en la pantorrilla"):
        assert spanish_words in words, spanish_words
    # Dates and numbers as Spanish readers write them (Babel).
    assert re.search(r"Última revisión: \d{1,2} de [a-z]+ de \d{4}\. Próxima revisión: \d{1,2} de [a-z]+ de \d{4}\.",
                     words)
    assert re.search(r"\(PDF, 2 páginas, \d+ KB\)", words)


def test_the_english_catalogue_stays_english(spanish):
    project, out, _ = spanish
    en = (out / "index.html").read_text(encoding="utf-8")
    words = readable_words(en)
    assert "Show handouts in:" in words and "Español" not in words  # named only inside lang="es-US"
    for spanish_words in ("hojas", "Hoja", "Página web", "Problemas de salud", "borrador", "carta", "páginas",
                          "en inglés", "También en"):
        assert spanish_words not in words, spanish_words
    for item in [*spanish_library(project).conditions.values(), *spanish_library(project).topics.values()]:
        assert item.title not in words and item.summary not in words


def test_each_catalogue_lists_exactly_its_own_languages_files(spanish):
    _, out, notices = spanish
    listed = {a["path"] for a in manifest(out)["artifacts"]}
    skipped = left_out(notices)
    assert skipped and not skipped & listed
    es_links = set(links(out, "es/index.html"))
    # Every Spanish file the build made, and none it left out, from the Spanish catalogue;
    assert {path for path in es_links if path.startswith("es/")} == {
        path for path in listed if path.startswith("es/")} - {"es/index.html"}
    # beyond them only the English twins, the English catalogue, the hazard log and the shared assets.
    others = {path for path in es_links if not path.startswith("es/")}
    assert {"index.html", "html/dvt.html", "html/tests.html", "html/hazard-log.html"} <= others
    assert all(path in ("index.html", "html/hazard-log.html") or path.startswith("html/") for path in others)
    en_links = set(links(out, "index.html"))
    # The English catalogue lists English files, and reaches the Spanish ones through the
    # language switch and each card's twin page, never a Spanish leaflet directly.
    assert {path for path in en_links if path.startswith("es/")} == {
        "es/index.html", *(f"es/html/{slug}.html" for slug in ("dvt", "calf-strain", "price-method", "tests"))}
    assert {path for path in listed if not path.startswith("es/") and "/assets/fonts/" not in path} - {
        "index.html", "manifest.json"} <= en_links


@pytest.mark.parametrize("page", ["index.html", "es/index.html", "es/html/dvt.html", "es/html/price-method.html"])
def test_every_link_resolves_to_a_file(spanish, page):
    _, out, _ = spanish
    found = links(out, page)
    assert found
    missing_targets = [path for path in found if not (out / path).is_file()]
    assert missing_targets == []


def test_spanish_pages_lead_to_the_spanish_catalogue(spanish):
    import lxml.html

    _, out, _ = spanish
    for page, catalogue in (("es/html/dvt.html", "es/index.html"), ("html/dvt.html", "index.html")):
        root = lxml.html.fromstring((out / page).read_text(encoding="utf-8"))
        [home] = root.xpath("//nav[@aria-label]//a[not(@type) and not(@hreflang)]/@href")
        assert resolve(page, home) == catalogue, page


def test_both_catalogues_offer_the_language_filter(spanish):
    import lxml.html

    _, out, _ = spanish
    for page, label, current, other, href in (
            ("index.html", "Show handouts in:", "English", "Español", "es/index.html"),
            ("es/index.html", "Ver hojas informativas en:", "Español", "English", "../index.html")):
        root = lxml.html.fromstring((out / page).read_text(encoding="utf-8"))
        [nav] = root.xpath("//header//nav[contains(@class, 'language-switch')]")
        # A visible label names the control, for screen readers too.
        [label_element] = nav.xpath(f"//*[@id='{nav.get('aria-labelledby')}']")
        assert label_element.text_content() == label
        [shown] = nav.xpath(".//*[@aria-current='page']")
        assert shown.text_content() == current
        [link] = nav.xpath(".//a")
        assert (link.text_content(), link.get("href")) == (other, href)
        assert link.get("lang") == link.get("hreflang") == ("es-US" if other == "Español" else "en-US")
        # Each option says how many handouts it lists: the cards of that catalogue.
        counts = re.findall(r"\((\d+)\)", nav.text_content())
        assert counts == ["4", "4"]
        alternates = {a.get("hreflang"): a.get("href") for a in root.xpath("//link[@rel='alternate']")}
        assert alternates == {"en-US": "https://knee.example/index.html", "es-US": "https://knee.example/es/index.html",
                              "x-default": "https://knee.example/index.html"}


def test_the_spanish_print_pack_holds_the_spanish_leaflets_that_were_built(spanish):
    import zipfile

    _, out, notices = spanish
    listed = {a["path"] for a in manifest(out)["artifacts"]}
    built = {path for path in listed if path.startswith("es/pdf/") and path.endswith(".letter.pdf")
             and ".large-print." not in path}
    skipped = {path for path in left_out(notices) if path.endswith(".letter.pdf") and ".large-print." not in path}
    assert built and skipped, "the fixture has Spanish letter leaflets that fit, and some that do not"
    with zipfile.ZipFile(out / "es/print-pack.letter.zip") as pack:
        names = pack.namelist()
        # Its own folder, so that unzipping both packs in one place overwrites no English leaflet.
        assert names[0] == "print-pack.letter.es/README.txt"
        assert {f"es/pdf/{name.rsplit('/', 1)[1]}" for name in names[1:]} == built
        for name in names[1:]:
            assert pack.read(name) == (out / "es/pdf" / name.rsplit("/", 1)[1]).read_bytes()
        readme = pack.read(names[0]).decode("utf-8")
    assert readme.startswith("Paquete para imprimir de ")
    assert f"{len(built)} hojas. Imprima cada una por los dos lados del papel." in readme
    assert re.search(r"Todas las hojas en papel carta \(EE\. UU\.\), preparadas el \d{1,2} de [a-z]+ de \d{4}\.", readme)
    assert "(2 páginas, borrador)" in readme and "https://knee.example/es/" in readme
    for english in ("Print pack", "leaflets", "Leaflets:", "pages", "draft", "Questions", "general information"):
        assert english not in readme, english
    for path in skipped:
        assert path.rsplit("/", 1)[1] not in readme
    # The Spanish catalogue offers it, with its size; the English one offers the English pack.
    es = (out / "es/index.html").read_text(encoding="utf-8")
    assert re.search(r'href="print-pack\.letter\.zip" type="application/zip">Descargue el paquete para imprimir '
                     r'<span class="file-facts">\(ZIP, \d+ KB\)</span>', es)
    assert f"Las {len(built)} hojas en papel carta (EE. UU.)" in es
    assert 'href="print-pack.letter.zip"' in (out / "index.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / "print-pack.letter.zip") as pack:
        assert pack.namelist()[0] == "print-pack.letter/README.txt"
        assert not any("/es/" in name for name in pack.namelist())


def test_the_aggregates_of_each_locale_are_in_the_manifest_with_their_locale(spanish):
    _, out, _ = spanish
    by_path = {a["path"]: a for a in manifest(out)["artifacts"]}
    for path, fmt, locale in (("index.html", "catalogue", "en-US"), ("print-pack.letter.zip", "printpack", "en-US"),
                              ("es/index.html", "catalogue", "es-US"), ("es/print-pack.letter.zip", "printpack", "es-US")):
        assert (by_path[path]["format"], by_path[path]["locale"]) == (fmt, locale), path


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 320])
def test_the_spanish_catalogue_has_no_axe_violations(spanish, axe_page, width):
    from browser import axe_problems

    _, out, _ = spanish
    assert axe_problems(axe_page, (out / "es/index.html").as_uri(), width) == []


@pytest.mark.browser
def test_the_language_filter_works_without_script(spanish, chromium):
    _, out, _ = spanish
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    filter_nav = page.get_by_role("navigation", name="Show handouts in:")
    filter_nav.get_by_role("link", name="Español").click()
    assert page.url.endswith("/es/index.html")
    assert page.get_by_role("heading", level=1).inner_text() == "Hojas informativas sobre el dolor detrás de la rodilla"
    assert page.locator(".conditions .card h3").first.inner_text().startswith("Coágulo de sangre")
    # The body-area filter works the same in Spanish.
    page.get_by_label(re.compile(r"^Detrás de la rodilla \(\d+\)$")).check()
    shown = [t for t in page.locator(".conditions .card").all() if t.is_visible()]
    assert len(shown) == 1
    page.get_by_role("navigation", name="Ver hojas informativas en:").get_by_role("link", name="English").click()
    assert page.url.endswith("/index.html") and "/es/" not in page.url
    context.close()
