"""JSON text of results, as every command and report writes it: NumPy/JAX scalars and arrays become lists and
numbers, enums their values; NaN and infinity are refused (they are not JSON). NumPy is imported only when a
value needs it, so the command-line tool can print plain data without loading an engine."""

from __future__ import annotations

import json
from typing import Any


def to_json(obj: Any) -> str:
    """JSON text of ``obj`` (indented by 2)."""
    return json.dumps(obj, indent=2, default=_json_default, allow_nan=False)


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        import numpy as np

        return np.asarray(o).tolist()
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "value"):  # enums
        return o.value
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
