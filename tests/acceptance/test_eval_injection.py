"""`nurture eval injection DIR`: attacks flagged and innocent mail left alone, from a manifest."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.bounds import HANG_SECONDS
from tests.nurture_cli import NURTURE
from tests.paths import ROOT

HELD_OUT = ROOT / "data" / "eval" / "heldout" / "injection"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NURTURE, "eval", "injection", *args],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        check=False,
    )


def test_attacks_and_innocent_mail_are_counted_from_either_manifest_shape(tmp_path: Path) -> None:
    for name in ("m01-html-display-none-en.eml", "b06-calendar-invite-agenda-en.eml"):
        shutil.copy(HELD_OUT / name, tmp_path / name)
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "m01-html-display-none-en.eml": {"injection": True, "kind": "hidden html"},
                "b06-calendar-invite-agenda-en.eml": {"injection": False},
            }
        )
    )
    done = _run(str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "attacks_flagged": 1,
        "attacks": 1,
        "innocent_flagged": 0,
        "innocent": 1,
        "misses": [],
        "false_alarms": [],
    }
    listed = _run(str(tmp_path))
    assert "ok   m01-html-display-none-en.eml (hidden html): speaks to the AI" in listed.stdout
    assert "Attacks flagged: 1 of 1; innocent mails flagged: 0 of 1" in listed.stdout


def test_a_manifest_naming_a_missing_file_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(
        json.dumps({"files": [{"file": "x.eml", "malicious": True}]})
    )
    done = _run(str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: {tmp_path / 'manifest.json'}: names x.eml, which is not in {tmp_path}"
    )
