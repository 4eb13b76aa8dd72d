"""Finnish municipalities by their official code (kuntanumero), so a name in either language means one place.

The trade register, the applicant and the programme file may name a municipality in Finnish or in
Swedish, in any case: Espoo, ESBO and esbo are all 049. No maintained PyPI package ships the
classification offline, so `municipalities.csv` beside this file holds it: Statistics Finland's
municipality classification as in force since 1.1.2021 (309 municipalities; Honkajoki joined
Kankaanpää then), with the Finnish and Swedish names, and in `other_names` the Swedish forms the
Institute for the Languages of Finland recommends where the classification repeats the Finnish one
(Akaa / Ackas). When municipalities merge, update the file from Statistics Finland's classification
for that year; a name not in the file is compared as written (case and spacing aside).
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("municipalities.csv")


@dataclass(frozen=True)
class Municipality:
    code: str  # three digits, "049"
    name_fi: str
    name_sv: str

    def name_in(self, language: str) -> str:
        return self.name_sv if language == "sv" else self.name_fi


def _normalised(name: str) -> str:
    # "S:t Michel", "St. Michel" and "st  michel" are one name.
    return " ".join(re.sub(r"[:.]", "", name).casefold().split())


@cache
def _table() -> tuple[dict[str, Municipality], dict[str, str]]:
    by_code: dict[str, Municipality] = {}
    by_name: dict[str, str] = {}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            municipality = Municipality(code=row["code"], name_fi=row["name_fi"], name_sv=row["name_sv"])
            by_code[municipality.code] = municipality
            names = [row["name_fi"], row["name_sv"], *filter(None, row["other_names"].split("|"))]
            for name in names:
                by_name.setdefault(_normalised(name), municipality.code)
    return by_code, by_name


def all_municipalities() -> list[Municipality]:
    return list(_table()[0].values())


def municipality_code(name_or_code: str | None) -> str | None:
    """The official code of a municipality named in Finnish or Swedish (or given by its code); None if unknown."""
    if not name_or_code:
        return None
    by_code, by_name = _table()
    text = name_or_code.strip()
    if text.isdigit() and text.zfill(3) in by_code:
        return text.zfill(3)
    return by_name.get(_normalised(text))


def municipality(name_or_code: str | None) -> Municipality | None:
    code = municipality_code(name_or_code)
    return None if code is None else _table()[0][code]


def same_municipality(a: str | None, b: str | None) -> bool:
    """Both name the same municipality: by code when both are known, else as written (case and spacing aside)."""
    if not a or not b:
        return False
    code_a, code_b = municipality_code(a), municipality_code(b)
    if code_a is not None and code_b is not None:
        return code_a == code_b
    return _normalised(a) == _normalised(b)
