"""Benchmark results: each figure with its baseline, the ratio and the target, written at the end of `make bench`
to `bench/results/latest.json` and `bench/results/latest.md` (with the machine and the time they were measured)."""

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    name: str
    measured: dict[str, Any]
    baseline: dict[str, Any]
    ratio: float  # measured / baseline on the figure the target is about (higher is better unless noted)
    target: str
    met: bool
    note: str = ""
    measured_at: str = ""  # UTC, ISO 8601; set when written


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        mark = "met" if figure.met else "MISSED"
        print(f"\n{figure.name}: ratio {figure.ratio:.2f} ({mark}: {figure.target})")
        print(f"  measured {figure.measured}\n  baseline {figure.baseline}")

    def write(self) -> None:
        """The figures of this run replace those of the same name; figures this run did not measure (a run of
        one benchmark file) stay, each with the day it was measured."""
        if not self.figures:
            return
        RESULTS.mkdir(exist_ok=True)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
        for figure in self.figures:
            figure.measured_at = figure.measured_at or now
        kept = [f for f in _earlier() if f.name not in {new.name for new in self.figures}]
        figures = sorted([*kept, *self.figures], key=lambda f: f.name)
        document = {"machine": machine, "figures": [asdict(f) for f in figures]}
        (RESULTS / "latest.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        lines = [
            f"# Benchmarks ({machine['cpus']} CPUs, {machine['platform']})",
            "",
            "| figure | measured | baseline | ratio | target | met | measured at |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in figures:
            measured = ", ".join(f"{k} {v}" for k, v in f.measured.items())
            baseline = ", ".join(f"{k} {v}" for k, v in f.baseline.items())
            met = "yes" if f.met else f"**no**: {f.note}"
            lines.append(
                f"| {f.name} | {measured} | {baseline} | {f.ratio:.2f} | {f.target} | {met} | {f.measured_at} |"
            )
        (RESULTS / "latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _earlier() -> list[Figure]:
    path = RESULTS / "latest.json"
    if not path.exists():
        return []
    document = json.loads(path.read_text(encoding="utf-8"))
    measured_at = document.get("machine", {}).get("measured_at", "")
    return [Figure(**{"measured_at": measured_at, **f}) for f in document["figures"]]
