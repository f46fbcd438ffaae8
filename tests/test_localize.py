"""The content model per locale: catalogues applied by pointer before the model is built."""

from __future__ import annotations

import polib

from conftest import edit_source
from pipeline.i18n import locale_build
from pipeline.localize import localize, set_pointer
from pipeline.model import Translation
from pipeline.project import Project
from pipeline.translatable import translatable_texts
from pipeline.translations import Catalogue, Entry

DVT_PO = "sources/locales/es/conditions/dvt.po"


def spanish(project, *, allow_partial=False, publisher="us-default", locale="es-US"):
    p = Project(project)
    return locale_build(p, p.documents(), publisher, locale, allow_partial=allow_partial)


def untranslate(project, relative, pointer, *, fuzzy=False):
    po = polib.pofile(str(project / relative), wrapwidth=78)
    item = next(e for e in po if e.msgctxt == pointer)
    if fuzzy:
        item.flags = ["fuzzy"]
    else:
        item.msgstr = ""
    po.save(str(project / relative))


def test_translatable_fields_come_from_the_schema_annotation():
    data = {
        "slug": "x", "title": "A title", "summary": "Text", "care": [{"level": "urgent", "signs": ["One", "Two"]}],
        "sms": {"message": "Call.", "red_flag": "clot-in-lung"}, "related": {"topics": ["tests"]},
        "sources": [{"title": "A book", "author": "Someone", "url": "https://example.org/"}],
        "review": {"status": "draft", "last_reviewed": "2026-01-01", "next_review": "2027-01-01"},
    }
    assert translatable_texts(data, "conditions") == [
        ("/title", "A title"), ("/summary", "Text"), ("/care/0/signs/0", "One"), ("/care/0/signs/1", "Two"),
        ("/sms/message", "Call.")]
    # A property can opt out of a translatable definition: a publisher's name is a name.
    publisher = {"slug": "p", "name": "Knee Pain Handouts", "care_headings": {"urgent": "Call today if:"},
                 "terms": {"physio": "physical therapist"}}
    assert translatable_texts(publisher, "publishers") == [("/care_headings/urgent", "Call today if:"),
                                                           ("/terms/physio", "physical therapist")]


def test_localize_replaces_by_pointer_and_counts_what_is_missing():
    data = {"title": "Old", "summary": "Sum", "what_it_is": ["a", "b"]}
    entries = (Entry("/title", "Old", "Viejo", False, None, 1, 2, 3),
               Entry("/summary", "Sum", "Resumen", True, "Su", 4, 5, 6),  # fuzzy
               Entry("/what_it_is/0", "changed since", "a-es", False, None, 7, 8, 9))  # other English
    catalogue = Catalogue("x.po", "es", entries)
    result = localize(data, "conditions", catalogue)
    assert result.data == {"title": "Viejo", "summary": "Sum", "what_it_is": ["a", "b"]}
    assert result.missing == ("/summary", "/what_it_is/0", "/what_it_is/1") and result.fuzzy == ("/summary",)
    assert result.total == 4 and not result.complete
    assert data["title"] == "Old"  # the source's data is never changed
    assert localize(data, "conditions", catalogue, fill="").data["what_it_is"] == ["", ""]
    nested = {"a/b": [{"c~d": 1}]}
    set_pointer(nested, "/a~1b/0/c~0d", 2)
    assert nested == {"a/b": [{"c~d": 2}]}


def test_the_spanish_model_of_the_fixture(project):
    build = spanish(project)
    assert build.notices == ()
    library = build.library
    dvt = library.conditions["dvt"]
    assert dvt.title == "Coágulo de sangre en una vena profunda (trombosis venosa profunda, TVP)"
    assert dvt.care_block("emergency").signs == ("De pronto le cuesta respirar", "Tiene dolor en el pecho")
    assert dvt.translation == Translation("es-US") and not dvt.translation.partial
    assert dvt.slug == "dvt" and dvt.reference == "KP-DVT"  # identifiers stay
    assert library.related(dvt) == [("condition", "calf-strain", library.conditions["calf-strain"].title),
                                    ("topic", "tests", "Pruebas que su médico le puede pedir")]
    assert library.guides["small-guide"].title == "Una guía pequeña"
    publisher = library.publishers["us-default"]
    assert publisher.care_headings["emergency"] == "Llame al 911 o vaya a la sala de emergencias ahora si:"
    assert publisher.page_url("dvt", "es-US") == "https://knee.example/es/html/dvt.html"
    assert publisher.page_url("dvt") == "https://knee.example/html/dvt.html"


def test_english_locales_are_the_sources(project):
    build = spanish(project, publisher="uk-example", locale="en-GB")
    assert build.library.conditions["dvt"].title.startswith("Blood clot") and build.library.conditions["dvt"].translation is None


def test_an_incomplete_item_is_left_out_with_a_message(project):
    untranslate(project, DVT_PO, "/care/0/signs/0")
    untranslate(project, DVT_PO, "/symptoms/0", fuzzy=True)
    build = spanish(project)
    library = build.library
    assert "dvt" not in library.conditions and "calf-strain" in library.conditions
    # Nothing links to the page that is not there, and the guide that holds it waits.
    assert library.related(library.conditions["calf-strain"]) == [
        ("topic", "price-method", library.topics["price-method"].title)]
    assert library.related(library.topics["tests"]) == []
    assert "small-guide" not in library.guides
    messages = [(n.path, n.severity, n.message) for n in build.notices]
    assert messages == [
        (DVT_PO, "warning", "condition 'dvt' is not built in es-US: 2 of 33 texts not translated, 1 of them fuzzy "
                            "(handouts i18n status)"),
        ("sources/locales/es/guides/small-guide.po", "warning",
         "guide 'small-guide' is not built in es-US: chapters not translated: dvt"),
    ]


def test_an_english_edit_not_yet_translated_leaves_the_item_out(project):
    edit_source(project / "sources/conditions/dvt.yaml", "  - Sometimes a fever", "  - Sometimes a fever or chills")
    build = spanish(project)
    assert "dvt" not in build.library.conditions
    assert "1 of 33 texts not translated" in build.notices[0].message


def test_allow_partial_keeps_the_english_and_marks_it(project):
    untranslate(project, DVT_PO, "/care/0/signs/0")
    build = spanish(project, allow_partial=True)
    dvt = build.library.conditions["dvt"]
    assert dvt.care_block("emergency").signs == ("De pronto le cuesta respirar", "You have chest pain")
    assert dvt.translation == Translation("es-US", ("/care/0/signs/0",)) and dvt.translation.partial
    assert not build.library.conditions["calf-strain"].translation.partial
    assert "small-guide" in build.library.guides


def test_the_english_kept_in_a_preview_is_marked_with_its_language(project):
    import pickle

    from pipeline.model import InEnglish

    untranslate(project, DVT_PO, "/care/0/signs/0")
    untranslate(project, "sources/locales/es/red-flags/clot-in-leg.po", "/text")
    library = spanish(project, allow_partial=True).library
    dvt = library.conditions["dvt"]
    marked = [s for block in dvt.care for s in block.signs if isinstance(s, InEnglish)]
    assert marked == ["You have chest pain", dvt.care_block("urgent").signs[0]] and marked[1].startswith("Your ")
    assert {s.lang for s in marked} == {"en-US"}
    # Worker processes get the model by pickle, and fingerprints tell a marked text from a plain one.
    again = pickle.loads(pickle.dumps(dvt))
    assert again == dvt and isinstance(again.care[0].signs[1], InEnglish) and again.care[0].signs[1].lang == "en-US"
    assert repr(marked[0]) != repr(str(marked[0]))
    # Translated texts are plain.
    assert not isinstance(dvt.care[0].signs[0], InEnglish)
    assert not any(isinstance(s, InEnglish) for s in dvt.symptoms + library.conditions["calf-strain"].symptoms)


def test_untranslated_items_are_summed_up_in_one_message(project):
    for path in (project / "sources/locales/es/conditions").glob("*.po"):
        path.unlink()
    build = spanish(project)
    assert set(build.library.conditions) == set() and set(build.library.topics) == {"price-method", "tests"}
    assert [(n.path, n.message) for n in build.notices] == [
        ("sources/locales/es/guides/small-guide.po",
         "guide 'small-guide' is not built in es-US: chapters not translated: dvt, calf-strain"),
        ("sources/locales/es", "2 items not built in es-US, no translation yet: calf-strain, dvt"),
    ]


def test_without_the_publisher_wording_the_locale_is_not_built(project):
    untranslate(project, "sources/locales/es/publishers/us-default.po", "/care_headings/urgent")
    build = spanish(project)
    assert build.library is None
    assert [n.message for n in build.notices] == [
        "es-US is not built: the publisher's own wording (care headings, terms and feedback line) has 1 of 8 texts not translated"]


def test_translations_are_nfc_like_the_sources(project):
    po = polib.pofile(str(project / DVT_PO), wrapwidth=78)
    item = next(e for e in po if e.msgctxt == "/medical_name")
    item.msgstr = "Trombosis venosa profunda (coa\u0301gulo)"  # "á" written as a + combining accent
    po.save(str(project / DVT_PO))
    assert spanish(project).library.conditions["dvt"].medical_name == "Trombosis venosa profunda (co\u00e1gulo)"


def test_a_shared_red_flag_not_translated_holds_back_every_condition_that_shows_it(project):
    untranslate(project, "sources/locales/es/red-flags/clot-in-lung.po", "/sms")
    build = spanish(project)
    assert set(build.library.conditions) == set()
    assert [n.message for n in build.notices if n.message.startswith("condition 'dvt'")] == [
        "condition 'dvt' is not built in es-US: shared red flags not translated: clot-in-lung (handouts i18n status)"]
    partial = spanish(project, allow_partial=True).library.conditions["dvt"]
    assert partial.translation.untranslated == ("red-flags/clot-in-lung/sms",)
    assert partial.sms.emergency_sign == "Sudden trouble breathing"


def test_spanish_terms_fill_the_spanish_placeholders(project):
    library = spanish(project).library
    filled = library.for_publisher(library.publishers["us-default"])
    calf = filled.conditions["calf-strain"]
    assert calf.treatments[1].name == "Fisioterapia"  # {Physiotherapy}: the term, capitalised
    assert calf.treatments[1].description == ("Un fisioterapeuta le puede ayudar a volver a caminar y a hacer "
                                              "deportes sin riesgo.")
    assert filled.conditions["dvt"].sms.emergency_sign == "Le cuesta respirar de pronto"
