"""Write output columns as CSV, byte for byte as ``pandas.DataFrame(columns).to_csv(index=False)`` does.

``sia compute``'s fast path (a matrix read straight from the file, :mod:`sia.compute.presence`) must
write exactly what the panel path writes through pandas, without importing pandas (~0.4 s, more than
the whole computation). The rules are pandas' defaults: a header line, ``,`` between fields, ``\\n``
line ends, minimal quoting (:data:`csv.QUOTE_MINIMAL`); a float as its shortest round-trip ``repr``
(``68.0``, ``1e-05``) and NaN as an empty field; ``None`` as an empty field; anything else as ``str``.
``tests/test_compute_fast_path.py`` checks the bytes against pandas on every kind of value written.

Examples
--------
>>> import io
>>> import numpy as np
>>> out = io.StringIO()
>>> write_csv({"area": np.array(["a", "b, c"], dtype=object), "eci": np.array([0.5, np.nan])}, out)
>>> out.getvalue()
'area,eci\\na,0.5\\n"b, c",\\n'
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import TextIO

import numpy as np


def _text(values: np.ndarray) -> list[str]:
    """One column as the text pandas writes (see the module docstring)."""
    if values.dtype.kind == "f":
        return ["" if v != v else repr(v) for v in values.tolist()]  # v != v: NaN
    if values.dtype.kind in "iub":
        return [str(v) for v in values.tolist()]
    return ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in values.tolist()]


def write_csv(columns: Mapping[str, np.ndarray], stream: TextIO) -> None:
    """Write ``columns`` (name -> 1-D array, all of one length) to ``stream`` as pandas would."""
    names = list(columns)
    texts = [_text(np.asarray(columns[name])) for name in names]
    writer = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    writer.writerows(zip(*texts, strict=True))
