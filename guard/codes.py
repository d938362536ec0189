"""Query codes: unguessable, recomputable from the server's secret, stored only as a hash.

Every public record a citizen follows with a code (a letter, a form submission, an
application for disclosure) uses these, and every public lookup by code goes through
:func:`find_guarded`, so one client has one budget of wrong guesses for all of them.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

from orgs.errors import DomainError

from . import ratelimit

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_nonce():
    return secrets.token_hex(16)


def query_code(serial, nonce):
    """12 characters (60 bits) shown as XXXX-XXXX-XXXX."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{serial}:{nonce}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> 4
    chars = []
    for _ in range(12):
        number, index = divmod(number, 32)
        chars.append(ALPHABET[index])
    code = "".join(chars)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalise(code):
    cleaned = "".join(c for c in (code or "").upper() if c.isalnum())
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != 12 or any(c not in ALPHABET for c in cleaned):
        return None
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"


def code_hash(code):
    return hashlib.sha256(code.encode()).hexdigest()


FAILURES_ALLOWED = 5
WINDOW = 15 * 60  # seconds


def find_guarded(find, *, client):
    """``find()`` for a public lookup by query code: after five wrong tries in fifteen
    minutes a client is refused for the rest of the window, found or not.

    Each try is counted before it is looked up (and given back when ``find`` returns),
    so a burst of guesses at once gets no more than five looks. ``find`` raises
    (``NotFound``) for a wrong code; the refusal is a ``DomainError`` coded ``too_many``."""
    key = f"track-fail:{client}"
    if not ratelimit.hit(key, limit=FAILURES_ALLOWED, window=WINDOW).allowed:
        raise DomainError("查询失败次数过多,请15分钟后再试。", code="too_many")
    found = find()
    ratelimit.undo(key)
    return found
