"""Language data lives in one file per language: adding a language is adding a file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import language
from assistant.errors import NurtureError
from tests.bounds import HANG_SECONDS
from tests.paths import ROOT

# Esperanto, which Nurture does not ship: a few cues are enough to read replies written in it.
ESPERANTO = """\
[intent]
not_interested = ['''\\bne interesiĝas\\b''']

[optout]
request = ['''\\bmalaboni min\\b''']
negation = ['''\\b(?:ne|neniam)\\b''']

[autoreply]
subject = ['''aŭtomata respondo''']
return_words = ['''ĝis''']

[dates]
until = ['''ĝis''']

[dates.months]
3 = ["marto"]

[reply]
verbs = ['''skribis''']
"""

MAILS = {
    "opt_out": ("Re: Via gvidilo", "Saluton,\n\nBonvolu malaboni min de via listo.\n\nAna\n"),
    # The history below the attribution is the rep's English mail, not the sender's words.
    "refusal": (
        "Re: Via gvidilo",
        "Dankon, sed ni ne interesiĝas pri tio.\n\nAna\n\nBob Smith skribis:\n"
        "Reply STOP to unsubscribe from these emails.\n",
    ),
    "absence": ("Aŭtomata respondo: Via gvidilo", "Mi estas for ĝis 16 marto.\n"),
}

# Reads each mail with the real parser and reader in a fresh process: the modules compile the
# language data once, at import, from the folders NURTURE_LANGUAGES names.
READER = """\
import json, sys
from datetime import date
from email.message import EmailMessage
from assistant.mail.classify import understand
from assistant.mail.parse import parse_message

found = {}
for name, (subject, body) in json.loads(sys.argv[1]).items():
    mail = EmailMessage()
    mail["From"] = "Ana <ana@example-buyer.eo>"
    mail["To"] = "rep@example-seller.com"
    mail["Subject"] = subject
    mail.set_content(body)
    reading = understand(parse_message(mail.as_bytes()), today=date(2026, 3, 2))
    back = reading.return_date.isoformat() if reading.return_date else None
    found[name] = [reading.kind, reading.intent, reading.opt_out, back]
print(json.dumps(found))
"""


def _read_in_process(folders: list[Path]) -> dict[str, list[object]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(language.SEARCH_PATH_ENV, None)
    if folders:
        env[language.SEARCH_PATH_ENV] = os.pathsep.join(map(str, folders))
    result = subprocess.run(
        [sys.executable, "-c", READER, json.dumps(MAILS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        check=True,
    )
    found: dict[str, list[object]] = json.loads(result.stdout)
    return found


def test_a_language_file_in_the_search_path_is_read_without_editing_a_module(
    tmp_path: Path,
) -> None:
    (tmp_path / "eo.toml").write_text(ESPERANTO, encoding="utf-8")
    assert _read_in_process([]) == {
        "opt_out": ["human", "other", False, None],
        "refusal": ["human", "not_interested", True, None],
        "absence": ["human", "other", False, None],
    }
    # Back on the day after the last day away, as "until 16 March" reads in English.
    assert _read_in_process([tmp_path]) == {
        "opt_out": ["human", "not_interested", True, None],
        "refusal": ["human", "not_interested", False, None],
        "absence": ["auto_reply", None, False, "2026-03-17"],
    }


def test_english_comes_first_and_every_shipped_language_is_read() -> None:
    codes = language.languages()
    assert codes[0] == "en"
    assert {"de", "fr", "es", "nl", "sv", "it", "pt"} <= set(codes)
    assert language.entries("optout.clause_break")[0] == r"\bbut\b"


def test_files_of_one_code_add_up_and_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "en.toml").write_text("[optout]\nclause_break = ['\\bthough\\b']\n", "utf-8")
    (extra / "eo.toml").write_text(ESPERANTO, encoding="utf-8")
    read = language.read_languages([*language.search_path()[:1], extra])
    assert [code for code, _ in read][:2] == ["en", "en"]
    assert read[1][1]["optout.clause_break"] == [r"\bthough\b"]
    assert "eo" in [code for code, _ in read]
    with pytest.raises(NurtureError, match=r"NURTURE_LANGUAGES names .*missing, which is not"):
        language.read_languages([tmp_path / "missing"])


def test_a_file_that_is_not_toml_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "xx.toml").write_text("[intent\n", encoding="utf-8")
    with pytest.raises(NurtureError, match=r"xx\.toml is not valid TOML"):
        language.read_languages([tmp_path])


@pytest.mark.parametrize("key", ["intent.meeting", "intent.not_now", "autoreply.challenge"])
def test_cues_searched_in_lower_cased_text_are_written_in_lower_case(key: str) -> None:
    # A capital letter in one of these would never match: the text is lower-cased first.
    unescaped = re.sub(r"\\.|\(\?P<\w+>", "", language.alternatives(key))
    assert not any(c.isupper() for c in unescaped), key
