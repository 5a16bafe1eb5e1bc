"""Where the shared public data lives: one rule for the whole package.

Order: an explicit ``data_dir``; else ``$SIA_SHARED_DATA``; else ``../shared/data`` relative to the
working directory; else the first ``shared/data`` found walking up from the installed package.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "SIA_SHARED_DATA"


def find_shared_data(data_dir: str | os.PathLike[str] | None = None, *, required: str | None = None) -> Path:
    """Return the shared data folder.

    Order: the ``data_dir`` argument; else ``$SIA_SHARED_DATA``; else ``../shared/data`` relative
    to the current directory; else the first ``shared/data`` found walking up from this package's
    directory.  ``required`` (a path relative to the folder) must exist in the chosen folder when
    it is found by search; an explicit ``data_dir`` or environment variable is used as given.

    Raises
    ------
    FileNotFoundError
        Naming every place that was looked at.
    """
    looked: list[str] = []

    def ok(path: Path) -> bool:
        return path.is_dir() and (required is None or (path / required).exists())

    if data_dir is not None:
        path = Path(data_dir)
        if ok(path):
            return path
        if not path.is_dir():
            raise FileNotFoundError(
                f"shared data folder {path} (data_dir argument) does not exist; pass the folder that holds the "
                f"shared data, or set ${ENV_VAR}"
            )
        raise FileNotFoundError(
            f"shared data folder {path} (data_dir argument) lacks {required}; pass the folder that holds it, "
            f"or set ${ENV_VAR}"
        )
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if ok(path):
            return path
        looked.append(f"${ENV_VAR}={env}")
    candidate = Path.cwd().parent / "shared" / "data"
    if ok(candidate):
        return candidate
    looked.append(str(candidate))
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "data"
        if ok(candidate):
            return candidate
        looked.append(str(candidate))
    what = f" containing {required}" if required else ""
    raise FileNotFoundError(
        f"could not find the shared data folder{what}; pass data_dir= or set ${ENV_VAR}. Looked in: "
        + "; ".join(looked)
    )
