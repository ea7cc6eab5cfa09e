#!/usr/bin/env python3
"""Generates tornado_signed_vectors.json: signed values made and checked by Python Tornado.

Run once with Debian's python3-tornado (6.2) and commit the output:

    /usr/bin/python3 tornado-web/src/test/resources/gen_tornado_signed_vectors.py \
        > tornado-web/src/test/resources/tornado_signed_vectors.json

SignedValueVectorsTest checks that Java decodes every "signed" value to the same result as Python at every
"decode" clock, and that Java's own encoding of each input equals Python's byte for byte.
"""
import json
import sys

import tornado
from tornado.web import create_signed_value, decode_signed_value, get_signature_key_version

CLOCK = 1700000000.75  # a fixed, fractional clock: the timestamp is int(clock())
DAY = 86400

INPUTS = [
    # (secret, key_version, name, value)
    ("secret", None, "user", "bob"),
    ("secret", None, "user", ""),
    ("secret", None, "session", "héllo wörld € ✓ 日本語"),
    ("secret", None, "data", "a|b:c|12:x|=+/ \"quoted\" ; semi"),
    ("secret", None, "long", "x" * 1000),
    ("sécret-ключ-🔑", None, "user", "bob"),
    ("another secret", None, "_xsrf", '{"id": 42, "roles": ["admin"]}'),
    ({0: "key zero", 1: "key one", 7: "key seven"}, 0, "user", "bob"),
    ({0: "key zero", 1: "key one", 7: "key seven"}, 1, "user", "alice"),
    ({0: "key zero", 1: "key one", 7: "key seven"}, 7, "user", "çà"),
    ("secret", None, "nämé", "value"),  # Tornado signs with the name's length in characters, not bytes
]


def decoded(secret, name, signed, max_age_days, clock):
    out = decode_signed_value(secret, name, signed, max_age_days=max_age_days, clock=lambda: clock)
    return None if out is None else out.decode("utf-8")


def decode_cases(secret, name, signed):
    cases = []
    for clock, max_age in [
        (CLOCK, 31),
        (CLOCK + 31 * DAY - 1, 31),
        (CLOCK + 31 * DAY + 1, 31),
        (CLOCK + 2 * DAY, 1),
        (CLOCK + 0.5 * DAY, 1),
        (CLOCK + 0.5 * DAY, 0.25),
    ]:
        cases.append({"clock": clock, "max_age_days": max_age, "result": decoded(secret, name, signed, max_age, clock)})
    cases.append({"clock": CLOCK, "max_age_days": 31, "name": name + "x",
                  "result": decoded(secret, name + "x", signed, 31, CLOCK)})
    return cases


def jsecret(secret):
    return {str(k): v for k, v in secret.items()} if isinstance(secret, dict) else secret


vectors = []
for secret, key_version, name, value in INPUTS:
    signed = create_signed_value(secret, name, value, clock=lambda: CLOCK, key_version=key_version).decode("utf-8")
    vectors.append({
        "secret": jsecret(secret), "key_version": key_version, "name": name, "value": value, "clock": CLOCK,
        "signed": signed, "signature_key_version": get_signature_key_version(signed),
        "decode": decode_cases(secret, name, signed),
    })

# Values Java must decode exactly as Python does (mostly: reject): tampering, other keys, old formats.
from tornado.web import _create_signature_v1  # noqa: E402  (only to hand-craft odd version-1 values)

base = create_signed_value("secret", "user", "bob", clock=lambda: CLOCK).decode("ascii")
ring = {0: "key zero", 1: "key one"}
by_key_1 = create_signed_value(ring, "user", "bob", clock=lambda: CLOCK, key_version=1).decode("ascii")
v1 = create_signed_value("secret", "user", "bob", version=1, clock=lambda: CLOCK).decode("ascii")


def v1_with_timestamp(ts):
    sig = _create_signature_v1("secret", "user", b"Ym9i", ts).decode("ascii")
    return "Ym9i|%s|%s" % (ts, sig)


sig_start = base.rindex("|") + 1
tampered = [
    # (label, secret, name, signed value, clock)
    ("signature flipped", "secret", "user", base[:-1] + ("0" if base[-1] != "0" else "1"), CLOCK),
    ("signature upper-case", "secret", "user", base[:sig_start] + base[sig_start:].upper(), CLOCK),
    ("signature cut", "secret", "user", base[:-2], CLOCK),
    ("signature removed", "secret", "user", base[:sig_start], CLOCK),
    ("value changed", "secret", "user", base.replace("4:Ym9i", "4:YWxp"), CLOCK),
    ("timestamp changed", "secret", "user", base.replace("1700000000", "1800000000"), CLOCK),
    ("name changed", "secret", "user", base.replace("4:user", "4:usex"), CLOCK),
    ("wrong secret", "not the secret", "user", base, CLOCK),
    ("key version changed", ring, "user", by_key_1.replace("2|1:1|", "2|1:0|"), CLOCK),
    ("unknown key version", {0: "key zero"}, "user", by_key_1, CLOCK),
    ("key ring on a plain secret", "key one", "user", by_key_1, CLOCK),
    ("field length lies", "secret", "user", base.replace("4:user", "5:user"), CLOCK),
    ("not a signed value", "secret", "user", "bob", CLOCK),
    ("empty", "secret", "user", "", CLOCK),
    ("unknown version", "secret", "user", "3" + base[1:], CLOCK),
    ("garbage pipes", "secret", "user", "2|||||", CLOCK),
    ("garbage lengths", "secret", "user", "2|x:0|", CLOCK),
    ("version 1", "secret", "user", v1, CLOCK),
    ("version 1 wrong name", "secret", "usex", v1, CLOCK),
    ("version 1 wrong secret", "not the secret", "user", v1, CLOCK),
    ("version 1 expired", "secret", "user", v1, CLOCK + 32 * DAY),
    ("version 1 timestamp in the future", "secret", "user", v1_with_timestamp("1800000000"), CLOCK),
    ("version 1 leading zero timestamp", "secret", "user", v1_with_timestamp("01700000000"), CLOCK),
]
extra = []
for label, secret, name, signed, clock in tampered:
    extra.append({"label": label, "secret": jsecret(secret), "name": name, "signed": signed, "clock": clock,
                  "max_age_days": 31, "result": decoded(secret, name, signed, 31, clock),
                  "signature_key_version": get_signature_key_version(signed) if signed else None})

json.dump({"tornado_version": tornado.version, "generator": "gen_tornado_signed_vectors.py",
           "vectors": vectors, "decode_only": extra}, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
