"""Query codes: unguessable, recomputable from the server's secret, stored only as a hash."""

import hashlib
import hmac
import secrets

from django.conf import settings

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
