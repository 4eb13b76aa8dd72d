"""Telling Finnish, Swedish and English free text apart, so a justification in the wrong language is caught."""

import pytest

from core.settings import PROJECT_ROOT
from models.grants.programme import load_programmes
from models.text_language import language_of, written_in

PROGRAMME = load_programmes(PROJECT_ROOT / "programmes", include_demo=False)["sole-entrepreneur-2020"]


@pytest.mark.parametrize("key", sorted(PROGRAMME.justifications))
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_standard_text_is_recognised_in_its_language(key: str, language: str) -> None:
    assert language_of(PROGRAMME.justifications[key][language]) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Liikevaihto ei laskenut riittävästi, koska myynti kasvoi huhtikuussa.", "fi"),
        ("Omsättningen har inte minskat tillräckligt eftersom försäljningen ökade i april.", "sv"),
        ("The turnover did not fall enough because the sales grew in April.", "en"),
    ],
)
def test_handwritten_sentences(text: str, language: str) -> None:
    assert language_of(text) == language


def test_a_finnish_justification_is_not_swedish_and_short_texts_pass() -> None:
    finnish = "Hakija ei täytä ehtoja, koska yrityksen liikevaihto ei ole laskenut yli 30 prosenttia."
    assert not written_in(finnish, "sv")
    assert written_in(finnish, "fi")
    assert written_in("OK.", "sv")  # too short to tell: not refused
