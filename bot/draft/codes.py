"""Resume codes and download secrets.

A resume code is 16 Crockford base32 characters (80 random bits), shown grouped for
typing: 7KQ2-M9XD-4RTB-HW3P. Guessing one is hopeless; wrong codes are limited anyway
(bot/storage/attempts.py). Crockford base32 leaves out I, L, O and U, so a parent who
types O for 0 or l for 1 still gets in. Only a SHA-256 hash of each code or secret is stored; with
80+ random bits a plain hash cannot be brute-forced.
"""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_TYPO_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Four groups of four, separated by a dash, a space or nothing.
_CODE_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])([0-9A-Za-z]{4})[ -]?([0-9A-Za-z]{4})[ -]?"
    r"([0-9A-Za-z]{4})[ -]?([0-9A-Za-z]{4})(?![0-9A-Za-z])"
)
# The grouped form the bot prints (and parents paste) is tried first: in "my code
# 7KQ2-M9XD-4RTB-HW3P" the loose pattern alone would read "code 7KQ2 M9XD 4RTB".
_GROUPED_CODE = re.compile(
    r"(?<![0-9A-Za-z])([0-9A-Za-z]{4})-([0-9A-Za-z]{4})-([0-9A-Za-z]{4})-([0-9A-Za-z]{4})"
    r"(?![0-9A-Za-z])"
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SECRET_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
REDACTED_CODE = "[code]"
REDACTED_SECRET = "[secret]"
EXAMPLE_CODE = "ABCD-EFGH-JKMN-PQRS"


def new_resume_code() -> str:
    """A fresh code with at least one digit and one letter, so it never looks like
    four ordinary words in a sentence."""
    while True:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw):
            return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(code: str) -> str | None:
    raw = re.sub(r"[\s-]", "", code or "").upper().translate(_TYPO_FIXES)
    if len(raw) != CODE_LENGTH or any(c not in ALPHABET for c in raw):
        return None
    return raw


def find_code(text: str) -> str | None:
    """The first thing in a message that looks like a resume code (normalized)."""
    for pattern in (_GROUPED_CODE, _CODE_IN_TEXT):
        for match in pattern.finditer(text or ""):
            candidate = "".join(match.groups())
            if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
                normalized = normalize_code(candidate)
                if normalized:
                    return normalized
    return None


def code_hash(code: str) -> str:
    normalized = normalize_code(code)
    if normalized is None:
        raise ValueError("not a resume code")
    return hashlib.sha256(f"resume:{normalized}".encode()).hexdigest()


def new_download_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 bits, 43 URL-safe characters


def looks_like_secret(secret: str) -> bool:
    return bool(_SECRET.match(secret or ""))


def secret_hash(secret: str) -> str:
    return hashlib.sha256(f"download:{secret}".encode()).hexdigest()


def _is_code(match: re.Match[str]) -> bool:
    candidate = "".join(match.groups())
    has_both = any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate)
    return has_both and normalize_code(candidate) is not None


def redact(text: str) -> str:
    """`text` without anything that reads as a resume code or a download secret (what the
    conversation store keeps of a message: the parent saw them, the database must not)."""
    if not text:
        return text
    text = _SECRET_IN_TEXT.sub(REDACTED_SECRET, text)
    for pattern in (_GROUPED_CODE, _CODE_IN_TEXT):
        text = pattern.sub(lambda m: REDACTED_CODE if _is_code(m) else m.group(0), text)
    return text
