"""A small arithmetic challenge, signed so the server keeps no state."""

import random

from django.core import signing

SALT = "letters.challenge"
MAX_AGE = 3600


def new_challenge():
    a, b = random.randint(2, 9), random.randint(2, 9)
    token = signing.dumps({"sum": a + b}, salt=SALT)
    return f"{a} 加 {b} 等于几?", token


def passes(token, answer):
    try:
        expected = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)["sum"]
    except (signing.BadSignature, KeyError, TypeError):
        return False
    return str(answer).strip() == str(expected)
