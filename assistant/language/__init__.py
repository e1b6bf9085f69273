"""The words of each language Nurture reads, kept as data: one TOML file per language.

Every cue a module looks for in mail (reply cues per intent, opt-out requests, out-of-office
phrases, quote headers, closings, names of months and days) is listed in files named by
language code, `en.toml`, `de.toml` and so on, in the shipped `assistant/language/data`
folder. More folders can be named in the NURTURE_LANGUAGES environment variable (separated
as in PATH); each file there adds a language, or adds entries to a shipped one of the same
code. Adding a language is therefore adding a file, not editing the modules that read mail.

A file is a set of TOML tables whose keys the modules ask for by dotted name
("intent.meeting"). A list of strings holds regular-expression alternatives, or plain words,
as the asking module says; a table of lists maps each number to its words (months, weekdays).
Files are read once per process, English first and then the other languages by code, and the
modules compile what they read once, at import.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from assistant.errors import NurtureError

SEARCH_PATH_ENV = "NURTURE_LANGUAGES"
_FIRST = "en"


def search_path() -> tuple[Traversable, ...]:
    """The folders languages are read from: the shipped one, then those in NURTURE_LANGUAGES."""
    extra = os.environ.get(SEARCH_PATH_ENV, "")
    named = tuple(Path(part) for part in extra.split(os.pathsep) if part)
    return (files(__name__).joinpath("data"), *named)


def _language_files(folder: Traversable) -> Iterator[Traversable]:
    if not folder.is_dir():
        raise NurtureError(f"{SEARCH_PATH_ENV} names {folder}, which is not a folder")
    yield from (item for item in folder.iterdir() if item.name.endswith(".toml"))


def _read(item: Traversable) -> dict[str, object]:
    try:
        return tomllib.loads(item.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise NurtureError(f"The language file {item} is not valid TOML: {exc}") from exc


def _flatten(table: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, object]]:
    """Every value under its dotted key: `[dates.months]` `1 = [...]` is "dates.months.1"."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


Languages = tuple[tuple[str, dict[str, object]], ...]


def read_languages(folders: Iterable[Traversable]) -> Languages:
    """Every language file in the folders as (code, dotted key -> value), English first.

    Files of one code from several folders are all kept, in folder order.
    """
    found: list[tuple[str, int, dict[str, object]]] = []
    for order, folder in enumerate(folders):
        for item in _language_files(folder):
            code = item.name.removesuffix(".toml")
            found.append((code, order, dict(_flatten(_read(item)))))
    found.sort(key=lambda entry: (entry[0] != _FIRST, entry[0], entry[1]))
    return tuple((code, data) for code, _, data in found)


@lru_cache(maxsize=1)
def _languages() -> Languages:
    return read_languages(search_path())


def languages() -> tuple[str, ...]:
    """The codes of the languages read, English first."""
    return tuple(dict.fromkeys(code for code, _ in _languages()))


def _strings(code: str, key: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NurtureError(f"In the {code} language file, {key} must be a list of strings")
    return value


def entries(key: str, codes: Collection[str] | None = None) -> tuple[str, ...]:
    """Every language's strings under `key` (or those of `codes` only), in language order."""
    return tuple(
        entry
        for code, data in _languages()
        if key in data and (codes is None or code in codes)
        for entry in _strings(code, key, data[key])
    )


def alternatives(key: str, codes: Collection[str] | None = None) -> str:
    """Every language's regular expressions under `key` as one alternation, to wrap and compile.

    With `codes`, only those languages', and a pattern that never matches when none gives it.
    """
    found = entries(key, codes)
    if not found and codes is None:
        raise NurtureError(f"No language file gives {key}: reinstall Nurture")
    return "|".join(found) if found else "(?!)"


def marks() -> dict[str, frozenset[str]]:
    """Each language's common short words (`[marks] words`), which show a text is in it."""
    return {
        code: frozenset(_strings(code, "marks.words", data["marks.words"]))
        for code, data in _languages()
        if "marks.words" in data
    }


def table(key: str) -> dict[str, str]:
    """Every language's words under a table of lists (`[dates.units]` `week = [...]`) to their key.

    A word two languages give for different keys goes to the later language's.
    """
    prefix = f"{key}."
    found: dict[str, str] = {}
    for code, data in _languages():
        for name, value in data.items():
            if name.startswith(prefix):
                found.update(dict.fromkeys(_strings(code, name, value), name[len(prefix) :]))
    return found


def numbered(key: str) -> dict[str, int]:
    """Every language's words under a numbered table (`1 = ["january", "jan"]`) to their number."""
    return {word: int(number) for word, number in table(key).items()}


def grouped(key: str) -> dict[str, tuple[str, ...]]:
    """Every language's strings under each key of a table of lists, in language order."""
    prefix = f"{key}."
    found: dict[str, tuple[str, ...]] = {}
    for code, data in _languages():
        for name, value in data.items():
            if name.startswith(prefix):
                group = name[len(prefix) :]
                found[group] = found.get(group, ()) + tuple(_strings(code, name, value))
    return found


@lru_cache(maxsize=64)
def phrases(key: str, code: str) -> dict[str, str]:
    """One language's phrases under a table (`[quote]` `plan = "..."`), by name; English fills
    what the language leaves out."""
    found: dict[str, str] = {}
    prefix = f"{key}."
    for language in (_FIRST, code):
        for each, data in _languages():
            if each != language:
                continue
            for name, value in data.items():
                rest = name[len(prefix) :]
                if name.startswith(prefix) and isinstance(value, str) and "." not in rest:
                    found[rest] = value
    return found
