"""Templates, prompts and the demo's sample data, shipped inside the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def folder(*parts: str) -> Path:
    """A shipped folder as a path on disk, for loaders that read directories (Jinja2, Starlette).

    The folders live at the top of the source tree and are linked in here, so a checkout and
    an installed wheel read them the same way.
    """
    where = files(__name__).joinpath(*parts)
    if not isinstance(where, Path) or not where.is_dir():
        raise RuntimeError(f"Nurture's installed files lack {'/'.join(parts)}: reinstall Nurture")
    return where
