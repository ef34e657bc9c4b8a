"""Every user-facing string exists in English and Spanish."""

from __future__ import annotations

import pytest

from bot.domain.vocabulary import ALL_REASONS, STAGES, Exit
from bot.i18n import CATALOG, Translator, placeholders, t


def test_both_languages_have_the_same_keys():
    assert set(CATALOG["en"]) == set(CATALOG["es"])


@pytest.mark.parametrize("key", sorted(CATALOG["en"]))
def test_translations_expect_the_same_placeholders(key):
    assert placeholders(CATALOG["en"][key]) == placeholders(CATALOG["es"][key])


@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_stage_exit_and_reason_has_a_label(locale):
    _ = Translator(locale)
    labels = (
        [_.stage(s) for s in STAGES]
        + [_.exit(e) for e in Exit]
        + [_.reason(r) for r in ALL_REASONS]
    )
    assert all(label and "." not in label for label in labels)


def test_spanish_labels_differ_from_english_where_the_words_do():
    assert t("es", "reason.not_icp") == "No es nuestro cliente ideal"
    assert t("en", "exit.rejected") == "Not a fit"
    assert t("es", "exit.rejected") == "No encaja"


def test_an_unknown_locale_falls_back_to_english():
    assert Translator("pt")("stage.won") == "Won"
