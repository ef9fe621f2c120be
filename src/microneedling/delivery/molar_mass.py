"""Molar mass (Da = g/mol) of a compound from its molecular formula and the IUPAC standard atomic weights.

A molecular weight is not a matter of citation: it follows from the formula. The atomic weights are the
standard values of the IUPAC 1995 table (Coplen 1996, Pure Appl. Chem. 68:2339, Table 2), for the elements the
solutes of this package contain. Later IUPAC revisions give H, C, N and O as intervals of natural variation
whose conventional values (1.008, 12.011, 14.007, 15.999) lie within 0.001 of these, far below the 0.01 Da
to which molecular weights are used here (the Potts-Guy term is -0.0061 per Da).

Formulas are written in the plain Hill style, element symbols each followed by an optional count
(``C8H10N4O2``); brackets, charges and hydrates are refused rather than guessed.
"""

from __future__ import annotations

import re

from microneedling.errors import InputError

#: standard atomic weights (IUPAC 1995, Coplen 1996 Table 2), dimensionless (g/mol per atom)
STANDARD_ATOMIC_WEIGHTS: dict[str, float] = {
    "H": 1.00794,
    "C": 12.0107,
    "N": 14.00674,
    "O": 15.9994,
    "Na": 22.989770,
    "S": 32.066,
    "Cl": 35.4527,
    "K": 39.0983,
}
ATOMIC_WEIGHTS_SOURCE = "Coplen1996"

_TERM = re.compile(r"([A-Z][a-z]?)(\d*)")


def element_counts(formula: str) -> dict[str, int]:
    """Atoms per element of a Hill-style formula (``"C2H6O"`` -> ``{"C": 2, "H": 6, "O": 1}``).

    Refuses (:class:`InputError`) an empty formula, anything that is not element symbols and counts, a count of
    zero, and elements without a standard atomic weight in :data:`STANDARD_ATOMIC_WEIGHTS`."""
    text = formula.strip()
    if not text:
        raise InputError("formula", formula, "must name at least one element, e.g. C2H6O")
    counts: dict[str, int] = {}
    pos = 0
    for m in _TERM.finditer(text):
        if m.start() != pos:
            break
        symbol, digits = m.group(1), m.group(2)
        if symbol not in STANDARD_ATOMIC_WEIGHTS:
            raise InputError("formula", formula, f"element {symbol!r} has no atomic weight here "
                                                 f"(known: {', '.join(STANDARD_ATOMIC_WEIGHTS)})")
        n = int(digits) if digits else 1
        if n == 0:
            raise InputError("formula", formula, f"count of {symbol} must be at least 1")
        counts[symbol] = counts.get(symbol, 0) + n
        pos = m.end()
    if pos != len(text):
        raise InputError("formula", formula, "must be element symbols with counts only (no brackets, charges, "
                                             "spaces or hydrates), e.g. C8H10N4O2")
    return counts


def molar_mass_da(formula: str) -> float:
    """Molar mass (Da) of ``formula``: the sum of standard atomic weights times atom counts (Coplen 1996; callers
    that report the mass cite :data:`ATOMIC_WEIGHTS_SOURCE`)."""
    return sum(STANDARD_ATOMIC_WEIGHTS[e] * n for e, n in element_counts(formula).items())
