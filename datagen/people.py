"""Clearly fake personal data: names, e-mails, phones, CPFs, company names.

- e-mails use the reserved ``example.com`` / ``example.org`` domains (RFC 2606);
- mobile numbers all read ``(DD) 90000-NNNN``, landlines ``(DD) 3000-NNNN``;
- CPFs have the right shape but deliberately wrong check digits, so no validator accepts them.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from datagen.draw import chance, pick
from datagen.vocab import COMPANY_PREFIXES, COMPANY_SUFFIXES, FIRST_NAMES, STATE_DDD, SURNAMES


def fake_name(rng: np.random.Generator) -> str:
    """A Brazilian-looking full name."""
    first = pick(rng, FIRST_NAMES)
    last = pick(rng, SURNAMES)
    if chance(rng, 0.5):
        return f"{first} {pick(rng, SURNAMES)} {last}"
    return f"{first} {last}"


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if c.isascii() and (c.isalnum() or c == " ")).strip()


def fake_email(rng: np.random.Generator, name: str) -> str:
    """An address at a reserved example domain, derived from ``name``."""
    parts = _ascii_slug(name).split()
    user = f"{parts[0]}.{parts[-1]}{int(rng.integers(1, 999))}"
    return f"{user}@{pick(rng, ('example.com', 'example.org'))}"


def fake_mobile(rng: np.random.Generator, state: str) -> str:
    """A mobile number of the obviously fake form ``(11) 90000-1234``."""
    return f"({STATE_DDD.get(state, '11')}) 90000-{int(rng.integers(10000)):04d}"


def fake_landline(rng: np.random.Generator, state: str) -> str:
    """A landline of the obviously fake form ``(11) 3000-1234``."""
    return f"({STATE_DDD.get(state, '11')}) 3000-{int(rng.integers(10000)):04d}"


def _cpf_check_digits(base: list[int]) -> tuple[int, int]:
    s1 = sum(d * w for d, w in zip(base, range(10, 1, -1), strict=True))
    d1 = 0 if s1 % 11 < 2 else 11 - s1 % 11
    s2 = sum(d * w for d, w in zip([*base, d1], range(11, 1, -1), strict=True))
    d2 = 0 if s2 % 11 < 2 else 11 - s2 % 11
    return d1, d2


def fake_cpf(rng: np.random.Generator) -> str:
    """A CPF-shaped string whose check digits are wrong on purpose ("123.456.789-01")."""
    base = [int(d) for d in rng.integers(0, 10, size=9)]
    d1, d2 = _cpf_check_digits(base)
    wrong = ((d1 + 1 + int(rng.integers(9))) % 10, d2)
    digits = "".join(map(str, base))
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:]}-{wrong[0]}{wrong[1]}"


def is_valid_cpf(cpf: str) -> bool:
    """Whether a CPF's check digits are right (used by the tests to prove ours are fake)."""
    digits = [int(c) for c in cpf if c.isdigit()]
    if len(digits) != 11:
        return False
    return _cpf_check_digits(digits[:9]) == (digits[9], digits[10])


def fake_company(rng: np.random.Generator) -> str:
    """A made-up client company name ("Grupo Moraes Seguros S.A.")."""
    prefix = pick(rng, COMPANY_PREFIXES)
    core = pick(rng, SURNAMES)
    if chance(rng, 0.3):
        core = f"{core} {pick(rng, SURNAMES)}"
    name = f"{core} {pick(rng, COMPANY_SUFFIXES)}"
    return f"{prefix} {name}" if prefix else name
