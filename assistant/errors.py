"""The one exception tree; the CLI and web app turn each into one clear sentence.

NurtureError
├── ConfigError          a bad or missing key in the configuration file
├── InputError           a bad file given by a user (CSV row, content file, rules file)
│   └── ContentError     a content library file with a bad field
├── NotFound             an id or address that names nothing
├── StateError           an action that the object's state does not allow
├── MailError            a mail server refused or dropped us
│   ├── ImapError
│   └── SmtpError        (.permanent tells 5xx from 4xx)
├── ParseError           a message that cannot be parsed (it is quarantined)
└── DraftError           the drafter could not produce a draft
    └── ModelUnavailable the model API is down, refuses our key, or is not there
"""

from __future__ import annotations


class NurtureError(Exception):
    """Root of every error the product raises on purpose."""


class ConfigError(NurtureError):
    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = path, key, problem
        where = f"key '{key}' in {path}" if key else str(path)
        super().__init__(f"Configuration error: {where}: {problem}")


class InputError(NurtureError):
    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source, self.problem, self.line = source, problem, line
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


class ContentError(InputError):
    def __init__(self, path: str, field: str, problem: str) -> None:
        self.field = field
        super().__init__(path, f"field '{field}': {problem}" if field else problem)


class NotFound(NurtureError):
    pass


class StateError(NurtureError):
    pass


class MailError(NurtureError):
    pass


class ImapError(MailError):
    pass


class SmtpError(MailError):
    def __init__(self, message: str, *, code: int | None = None, permanent: bool = False) -> None:
        self.code, self.permanent = code, permanent
        super().__init__(message)


class ParseError(NurtureError):
    """A message we keep but cannot read; `reason` is shown to the rep and the operator."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class DraftError(NurtureError):
    pass


class ModelUnavailable(DraftError):
    """The model API stayed down, refused our key, or is not there; `reason` says which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"model unavailable: {reason}")
