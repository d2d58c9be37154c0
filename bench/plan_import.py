"""How well plan import reads the corpus: precision and recall per element.

    python bench/plan_import.py [--corpus tests/plans/corpus] [--by-form] [--misses]

Each ``NN-name.txt`` (or .docx, .doc, .pdf ...) in the corpus has a hand-made
``NN-name.expected.json``: the plans in the file with their sections, working groups,
posts, response levels, warning levels and structured triggers. The file is read as an
upload is (``plans.imports.read_text``) and split and parsed as the wizard does
(``parsing.parse_bundle``). Found plans are paired with expected ones by title (compared in
simplified characters without punctuation); the elements of a plan found but not expected
count as wrong, those of a plan expected but not found as missed.

Goals (issue 26): recall ≥ 0.9 and precision ≥ 0.95 for plans, groups and levels; recall
≥ 0.8 for triggers with their bounds. tests/plans/test_corpus.py keeps the figures from
falling.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "plans" / "corpus"
ELEMENTS = ("plans", "sections", "groups", "posts", "levels", "warning_levels", "triggers")
GOALS = {
    "plans": (0.95, 0.9),
    "groups": (0.95, 0.9),
    "levels": (0.95, 0.9),
    "triggers": (0.0, 0.8),
}


@dataclass
class Tally:
    expected: int = 0
    found: int = 0
    correct: int = 0

    def add(self, expected: set[Any], found: set[Any]) -> None:
        self.expected += len(expected)
        self.found += len(found)
        self.correct += len(expected & found)

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


@dataclass
class Score:
    tallies: dict[str, Tally] = field(default_factory=lambda: {e: Tally() for e in ELEMENTS})
    by_form: dict[str, dict[str, Tally]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # reading and parsing, by file

    def add(self, forms: list[str], element: str, expected: set[Any], found: set[Any]) -> None:
        self.tallies[element].add(expected, found)
        for form in forms:
            tallies = self.by_form.setdefault(form, {e: Tally() for e in ELEMENTS})
            tallies[element].add(expected, found)

    def figures(self) -> dict[str, dict[str, float]]:
        return {
            element: {
                "expected": tally.expected,
                "found": tally.found,
                "correct": tally.correct,
                "precision": round(tally.precision, 3),
                "recall": round(tally.recall, 3),
            }
            for element, tally in self.tallies.items()
        }


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    import django

    django.setup()


def _norm(text: str | None) -> str:
    from yingji.plans.parsing.text import _fold

    text = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", "", _fold(text or ""))
    return re.sub(r"[\W_]+", "", text)


def _found_plan(parsed: Any) -> dict[str, set[Any]]:
    structure = parsed.structure
    return {
        "sections": {s.key for s in parsed.sections if s.key},
        "groups": {_norm(g["name"]) for g in structure["groups"]},
        "posts": {
            (_norm(p["group"]), p["title"], _norm(p["position"])) for p in structure["posts"]
        },
        "levels": {lv["level"] for lv in structure["levels"]},
        "warning_levels": {w["level"] for w in structure.get("warnings", [])},
        "triggers": {
            (lv["level"], t["fact"], t["op"], t["value"])
            for lv in structure["levels"]
            for t in lv["triggers"]
        },
    }


def _expected_plan(plan: dict[str, Any]) -> dict[str, set[Any]]:
    return {
        "sections": set(plan.get("sections", [])),
        "groups": {_norm(name) for name in plan.get("groups", [])},
        "posts": {
            (_norm(p["group"]), p["title"], _norm(p["holder"])) for p in plan.get("posts", [])
        },
        "levels": set(plan.get("levels", [])),
        "warning_levels": set(plan.get("warning_levels", [])),
        "triggers": {
            (t["level"], t["fact"], t["op"], t["value"]) for t in plan.get("triggers", [])
        },
    }


def _pair(expected: list[str], found: list[str]) -> list[tuple[int, int]]:
    """Expected and found plans paired by title: equal first, then the most alike."""
    pairs: list[tuple[int, int]] = []
    free = set(range(len(found)))
    for i, title in enumerate(expected):
        same = [j for j in free if found[j] == title]
        if same:
            pairs.append((i, same[0]))
            free.discard(same[0])
    paired = {i for i, _ in pairs}
    for i, title in enumerate(expected):
        if i in paired or not free:
            continue
        ratio, j = max((difflib.SequenceMatcher(None, title, found[j]).ratio(), j) for j in free)
        if ratio >= 0.75:
            pairs.append((i, j))
            free.discard(j)
    return pairs


def _files(corpus: Path) -> list[tuple[Path, Path]]:
    found = []
    for expected in sorted(corpus.glob("*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        sources = [p for p in corpus.glob(stem + ".*") if p != expected]
        if sources:
            found.append((sources[0], expected))
    return found


def score(corpus: Path = CORPUS) -> Score:
    from django.core.exceptions import ValidationError

    from yingji.plans import imports
    from yingji.plans.parsing import parse_bundle

    result = Score()
    for source, expected_path in _files(corpus):
        truth = json.loads(expected_path.read_text("utf-8"))
        forms = truth.get("form", [])
        try:
            started = time.perf_counter()
            bundle = parse_bundle(imports.read_text(source.name, source.read_bytes()))
            result.seconds[source.name] = time.perf_counter() - started
            plans = [part.parsed for part in bundle.plans]
        except ValidationError as error:
            result.misses.append(f"{source.name}: unreadable: {error}")
            plans = []
        expected_titles = [_norm(p["title"]) for p in truth["plans"]]
        found_titles = [_norm(p.title) for p in plans]
        pairs = _pair(expected_titles, found_titles)
        result.add(forms, "plans", set(expected_titles), {found_titles[j] for _, j in pairs})
        result.tallies["plans"].found += len(plans) - len(pairs)
        for form in forms:
            result.by_form[form]["plans"].found += len(plans) - len(pairs)
        paired_expected = {i for i, _ in pairs}
        paired_found = {j for _, j in pairs}
        for i, j in pairs:
            want, got = _expected_plan(truth["plans"][i]), _found_plan(plans[j])
            for element in ELEMENTS[1:]:
                result.add(forms, element, want[element], got[element])
                for item in sorted(map(str, want[element] - got[element])):
                    result.misses.append(f"{source.name}: missed {element} {item}")
                for item in sorted(map(str, got[element] - want[element])):
                    result.misses.append(f"{source.name}: wrong {element} {item}")
        for i, plan in enumerate(truth["plans"]):
            if i not in paired_expected:
                result.misses.append(f"{source.name}: missed plan {plan['title']}")
                for element, items in _expected_plan(plan).items():
                    result.add(forms, element, items, set())
        for j, plan in enumerate(plans):
            if j not in paired_found:
                result.misses.append(f"{source.name}: wrong plan {plan.title!r}")
                for element, items in _found_plan(plan).items():
                    result.add(forms, element, set(), items)
    return result


def hostile() -> list[tuple[str, float, str]]:
    """How fast files built to hold a worker are refused: (file, seconds, message)."""
    import io
    import logging

    from django.core.exceptions import ValidationError

    logging.getLogger("yingji.documents").setLevel(logging.WARNING)  # the refusals' detail

    from yingji.plans import imports

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "0" * (200 * 1024 * 1024))
    cases = [
        ("zip bomb .docx (200 MB unpacked)", "bomb.docx", bomb.getvalue()),
        ("text over the size cap (6 MB)", "big.txt", "应急".encode() * (1024 * 1024)),
        ("binary named .txt", "noise.txt", bytes(range(256)) * 4000),
        ("not a PDF named .pdf", "fake.pdf", b"%PDF-1.7\n" + b"\x00" * 100_000),
        ("10,000 lines of bare numbers", "numbers.txt", ("1.1.1 " * 10 + "\n").encode() * 10_000),
        ("100,000 one-character lines", "short.txt", "组\n".encode() * 100_000),
        ("19,000 one-character lines", "short.txt", "组\n".encode() * 19_000),
        ("one line of 1.5M characters", "line.txt", ("一、总则为" * 300_000).encode()),
        (
            "19,000 lines before two plans",
            "preamble.txt",
            (
                "说明文字\n" * 19_000 + "甲镇预案\n一、总则\n略。\n乙镇预案\n一、总则\n略。\n"
            ).encode(),
        ),
        (
            "19,800 lines, each repeated three times",
            "repeats.txt",
            "".join(f"说明{chr(0x4E00 + i)}{chr(0x5E00 + i)}乙\n" for i in range(6600)).encode()
            * 3,
        ),
    ]
    found = []
    for label, name, data in cases:
        started = time.perf_counter()
        try:
            imports.parse(name, data)
            message = "accepted"
        except ValidationError as error:
            message = " ".join(error.messages)[:60]
        found.append((label, time.perf_counter() - started, message))
    return found


def _table(tallies: dict[str, Tally]) -> str:
    rows = [
        f"{'element':<16}{'expected':>9}{'found':>7}{'correct':>8}{'precision':>10}{'recall':>8}"
    ]
    for element, tally in tallies.items():
        rows.append(
            f"{element:<16}{tally.expected:>9}{tally.found:>7}{tally.correct:>8}"
            f"{tally.precision:>10.3f}{tally.recall:>8.3f}"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--by-form", action="store_true", help="a table per form as well")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--hostile", action="store_true", help="time the refusal of bad files")
    args = parser.parse_args()
    _setup()
    result = score(args.corpus)
    print(f"plan import over {len(_files(args.corpus))} files in {args.corpus.name}/\n")
    print(_table(result.tallies))
    for element, (precision, recall) in GOALS.items():
        tally = result.tallies[element]
        met = tally.precision >= precision and tally.recall >= recall
        verdict = "met" if met else "MISSED"
        print(f"goal {element}: precision ≥ {precision}, recall ≥ {recall}: {verdict}")
    if result.seconds:
        slowest = max(result.seconds, key=result.seconds.__getitem__)
        print(
            f"\nread and parsed in {sum(result.seconds.values()):.2f} s, "
            f"the slowest {slowest} in {result.seconds[slowest] * 1000:.0f} ms"
        )
    if args.hostile:
        print("\nhostile files")
        for label, seconds, message in hostile():
            print(f"  {label:<36}{seconds * 1000:>8.0f} ms  {message}")
    if args.by_form:
        for form, tallies in sorted(result.by_form.items()):
            print(f"\n{form}\n{_table(tallies)}")
    if args.misses:
        print("\n" + "\n".join(result.misses))
    if args.json:
        args.json.write_text(json.dumps(result.figures(), indent=2))


if __name__ == "__main__":
    main()
