"""Writes the golden corpus (`*.eml` with a `*.json` of expected fields) into this folder.

Run from anywhere: `python tests/corpus/make_corpus.py`. Output is deterministic.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _edge import edge_cases  # noqa: E402
from _human import all_cases  # noqa: E402
from _machine import machine_cases  # noqa: E402


def main() -> None:
    cases = all_cases() + machine_cases() + edge_cases()
    names = [name for name, _, _ in cases]
    if len(names) != len(set(names)):
        raise SystemExit("duplicate case names")
    for old in HERE.glob("*.eml"):
        old.unlink()
    for old in HERE.glob("*.json"):
        old.unlink()
    for name, raw, expected in cases:
        (HERE / f"{name}.eml").write_bytes(raw)
        text = json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True)
        (HERE / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    print(f"{len(cases)} messages written to {HERE}")


if __name__ == "__main__":
    main()
