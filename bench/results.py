"""Benchmark results: each figure with its baseline, the ratio and the target, written at the end of `make bench`
to `bench/results/latest.json` and `bench/results/latest.md` (with the machine they were measured on)."""

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


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        mark = "met" if figure.met else "MISSED"
        print(f"\n{figure.name}: ratio {figure.ratio:.2f} ({mark}: {figure.target})")
        print(f"  measured {figure.measured}\n  baseline {figure.baseline}")

    def write(self) -> None:
        if not self.figures:
            return
        RESULTS.mkdir(exist_ok=True)
        machine = {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        document = {"machine": machine, "figures": [asdict(f) for f in self.figures]}
        (RESULTS / "latest.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        lines = [
            f"# Benchmarks ({machine['measured_at']}, {machine['cpus']} CPUs, {machine['platform']})",
            "",
            "| figure | measured | baseline | ratio | target | met |",
            "|---|---|---|---|---|---|",
        ]
        for f in self.figures:
            measured = ", ".join(f"{k} {v}" for k, v in f.measured.items())
            baseline = ", ".join(f"{k} {v}" for k, v in f.baseline.items())
            met = "yes" if f.met else f"**no**: {f.note}"
            lines.append(f"| {f.name} | {measured} | {baseline} | {f.ratio:.2f} | {f.target} | {met} |")
        (RESULTS / "latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
