"""Spanish syllables, sentences and reading ease, against words and texts counted by hand."""

from __future__ import annotations

import pytest

from pipeline.readability_es import (describe, fernandez_huerta, sentences, syllables, szigriszt_pazos,
                                     words)

# Each word split by hand with the rules of Spanish spelling (diphthong, hiatus, silent u).
HAND_COUNTED = {
    "agua": 2,  # a-gua: u + a is a diphthong
    "emergencia": 4,  # e-mer-gen-cia
    "rodilla": 3,  # ro-di-lla
    "día": 2,  # dí-a: the accent makes a hiatus
    "pierna": 2,  # pier-na
    "pantorrilla": 4,  # pan-to-rri-lla
    "coágulo": 4,  # co-á-gu-lo: two strong vowels never share a syllable
    "fisioterapeuta": 6,  # fi-sio-te-ra-peu-ta
    "tendinopatía": 6,  # ten-di-no-pa-tí-a
    "ciudad": 2,  # ciu-dad: two weak vowels form a diphthong
    "leer": 2,  # le-er
    "poeta": 3,  # po-e-ta
    "aéreo": 4,  # a-é-re-o
    "buey": 1,  # triphthong, with y as a vowel at the end
    "Uruguay": 3,  # U-ru-guay
    "muy": 1,
    "hoy": 1,
    "y": 1,
    "mayo": 2,  # ma-yo: y between vowels is a consonant
    "yo": 1,
    "guitarra": 3,  # gui-ta-rra: the u is silent
    "que": 1,
    "quiero": 2,  # quie-ro
    "pingüino": 3,  # pin-güi-no
    "averigüéis": 4,  # a-ve-ri-güéis
    "ahí": 2,  # a-hí
    "prohibir": 3,  # pro-hi-bir
    "oído": 3,  # o-í-do
    "ataúd": 3,  # a-ta-úd
    "país": 2,  # pa-ís
    "reír": 2,  # re-ír
    "baile": 2,  # bai-le
    "veinte": 2,  # vein-te
    "cuatro": 2,  # cua-tro
    "huevo": 2,  # hue-vo
    "europeo": 4,  # eu-ro-pe-o
    "cooperar": 4,  # co-o-pe-rar
    "inflamación": 4,  # in-fla-ma-ción
    "rápidamente": 5,  # rá-pi-da-men-te
    "reumatología": 6,  # reu-ma-to-lo-gí-a
    "hinchazón": 3,
    "trombosis": 3,
    "médico": 3,
    "Emergencia": 4,  # capitals count the same
    "TVP": 1,  # an abbreviation without vowels still counts
}


@pytest.mark.parametrize("word, expected", sorted(HAND_COUNTED.items()))
def test_syllables_match_hand_counts(word, expected):
    assert syllables(word) == expected


def test_words_keep_accents_and_hyphens():
    assert words("Llame al 911, ¿está bien? pierna-rodilla") == ["Llame", "al", "911", "está", "bien", "pierna-rodilla"]


def test_sentences_start_at_spanish_marks_and_capitals():
    assert sentences("Llame al 911. ¿Le duele? ¡Pida ayuda! Él vino. 2 veces.") == [
        "Llame al 911.", "¿Le duele?", "¡Pida ayuda!", "Él vino.", "2 veces."]
    # A closing quote stays with its sentence; a lower-case word does not start one.
    assert sentences("Dijo «basta.» Luego, etc. y más.") == ["Dijo «basta.»", "Luego, etc. y más."]


def test_fernandez_huerta_by_hand():
    # "La pierna le duele." 4 words, 6 syllables (la pier-na le due-le); one sentence.
    assert fernandez_huerta(["La pierna le duele."]) == pytest.approx(206.84 - 60 * 6 / 4 - 1.02 * 4)
    assert szigriszt_pazos(["La pierna le duele."]) == pytest.approx(206.835 - 62.3 * 6 / 4 - 4)
    assert fernandez_huerta([]) == 100.0


def test_plain_spanish_scores_easier_than_technical_spanish():
    plain = ["Le duele la pierna.", "Ponga hielo y descanse."]
    technical = ["La sintomatología inflamatoria intraarticular requiere valoración traumatológica especializada."]
    assert fernandez_huerta(plain) >= 80 > 30 > fernandez_huerta(technical)
    assert describe(fernandez_huerta(plain)) in ("easy", "very easy")
    assert describe(fernandez_huerta(technical)) == "very difficult"
    assert describe(72) == "fairly easy" and describe(69.9) == "standard"
