"""Bodies the integration tests send: valid records of each registry, built with overrides, and the
helpers to make valid (or deliberately invalid) FINESS numbers and phones. Not a test module."""

import itertools

# Communes used by the tests (INSEE code -> département); their centres come from the server.
ALBI, CASTRES, BEZIERS, MONTPELLIER, TOULOUSE, FOIX = "81004", "81065", "34032", "34172", "31555", "09122"

_seq = itertools.count(1)


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def finess(dep, body=None):
    """A valid FINESS number of département dep (9 digits, Luhn key)."""
    stem = dep + (body if body is not None else "%06d" % next(_seq))
    for key in "0123456789":
        if luhn_ok(stem + key):
            return stem + key
    raise AssertionError("no Luhn key")  # pragma: no cover


def bad_key(number):
    """number with a wrong Luhn key."""
    key = (int(number[-1]) + 1) % 10
    return number[:-1] + str(key)


def phone():
    """A unique mobile number in ARCEP's fiction range (06 39 98 ...), E.164."""
    return "+33639%06d" % (900000 + next(_seq))


def structure(**over):
    body = {"name": "EHPAD Les Tilleuls %d" % next(_seq), "category": "ehpad", "legal_form": "association",
            "commune": ALBI, "capacity": 80, "occupancy": 70, "staff": 40,
            "contacts": [{"name": "Direction", "phone": phone(), "lang": "fr", "role": "direction"}]}
    body.update(over)
    return body


def depot(**over):
    body = {"name": "Socle départemental %d" % next(_seq), "level": "departemental", "commune": ALBI}
    body.update(over)
    return body


def item(**over):
    n = next(_seq)
    body = {"code": "test-item-%d" % n, "name": "Test item %d" % n, "category": "PPE", "unit": "piece",
            "reusable": False, "burn_per_worker_day": 2.0}
    body.update(over)
    return body


def volunteer(**over):
    body = {"first_name": "Camille", "last_name": "Martin", "phone": phone(), "profession": "nurse",
            "skills": ["geriatrics"], "languages": ["fr"], "home_commune": ALBI, "travel_radius_km": 30,
            "availability": "available", "consent_at": "2024-03-17",
            "credentials": [{"kind": "diploma", "reference": "DE-%d" % next(_seq), "expires_on": "2030-12-31"}]}
    body.update(over)
    return body
