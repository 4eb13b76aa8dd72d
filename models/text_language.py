"""Which of Finnish, Swedish and English a piece of free text is written in, by its most common words.

A decision is written wholly in the applicant's language (Language Act 10, 12, 19 §): a justification typed
in another language must not reach the letter. Frequent function words tell the three apart reliably for a
sentence or two; a text too short to tell is let through.
"""

import re

COMMON_WORDS = {
    "fi": frozenset(
        "ja on ei että se tai kun jos mutta ovat oli olla ole koska joka jotka sen tämä tämän niin kuin mukaan "
        "myös vain sekä eikä ovat hakija hakemus hakemuksessa yritys yrityksen tuki tuen avustus liikevaihto "
        "päätös kaupungin vuoksi jälkeen ennen lasku yli alle".split()
    ),
    "sv": frozenset(
        "och är att det som en ett för på med inte har av till om den eller men så från var vid efter enligt "
        "också bara sökanden ansökan ansökningen företaget företagets stödet stöd omsättningen beslut "
        "staden därför innan över under".split()
    ),
    "en": frozenset(
        "the and is of to in that for not with on are was be has by or this as it its from after before "
        "because also only applicant application business grant decision turnover city under over".split()
    ),
}
# Finnish says with endings what the others say with words: a case ending counts as a Finnish word.
FINNISH_ENDINGS = ("ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "ksi", "aan", "ään", "iin", "ella", "ellä")
MIN_HITS = 3  # fewer common words than this: too little text to tell


def language_of(text: str) -> str | None:
    """ "fi", "sv" or "en", or None when the text is too short or too mixed to tell."""
    words = re.findall(r"[a-zåäö]+", text.lower())
    scores = {language: sum(word in common for word in words) for language, common in COMMON_WORDS.items()}
    scores["fi"] += sum(len(word) > 5 and word.endswith(FINNISH_ENDINGS) for word in words)
    best = max(scores, key=lambda language: scores[language])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < MIN_HITS or ranked[0] < 2 * ranked[1]:
        return None
    return best


def written_in(text: str, language: str) -> bool:
    """False only when the text is clearly in another of the three languages."""
    found = language_of(text)
    return found is None or found == language
