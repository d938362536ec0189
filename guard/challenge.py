"""A small arithmetic challenge for anonymous forms and APIs, usable once.

The token a client carries holds a random id and a keyed digest of the id and the
answer: the answer cannot be read from it (the digest needs the server's secret, and
the token is signed so it cannot be made up either). When a token is checked, its id
is recorded as used in ``guard.ratelimit``'s atomic counters for as long as the token
could be valid, so a token passes at most once, also when it is replayed in parallel.
A wrong answer uses the token up as well: one guess per token.
"""

import hmac
import random
import secrets

from django.core import signing
from django.utils.crypto import salted_hmac

from . import ratelimit

SALT = "guard.challenge"
MAX_AGE = 3600  # seconds a challenge may be answered in


def _digest(nonce, answer):
    return salted_hmac(f"{SALT}.answer", f"{nonce}:{answer}", algorithm="sha256").hexdigest()[:32]


def new_challenge():
    """``(question, token)``: the question to show, the token to send back with the answer."""
    a, b = random.randint(2, 9), random.randint(2, 9)
    nonce = secrets.token_hex(16)
    token = signing.dumps({"n": nonce, "d": _digest(nonce, a + b)}, salt=SALT, compress=False)
    return f"{a} 加 {b} 等于几?", token


def passes(token, answer):
    """True if ``answer`` answers the challenge of ``token``, which is used up
    whatever the answer was; False for a wrong, expired, forged or used token."""
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
        nonce, digest = str(payload["n"]), str(payload["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
    if not ratelimit.first_use(f"challenge-used:{nonce}", window=MAX_AGE + 60):
        return False
    given = str(answer if answer is not None else "").strip()
    if not given.isdigit() or len(given) > 3:
        return False
    return hmac.compare_digest(digest, _digest(nonce, int(given)))
