"""Live half of SignedValueInteropTest (run by the test with -Dtornado.interop.python=/usr/bin/python3).

Reads {"items": [...]} on stdin; for each item (secret, key_version, name, value, clock, java_signed) it
decodes Java's value with Python Tornado (at the item's clock, or the wall clock when it is null) and signs the
same input itself. Writes {"tornado_version", "items": [{"python_decoded", "python_signed"}...]} on stdout.
"""
import json
import sys
import time

import tornado
from tornado.web import create_signed_value, decode_signed_value


def secret_of(s):
    return {int(k): v for k, v in s.items()} if isinstance(s, dict) else s


request = json.load(sys.stdin)
out = []
for item in request["items"]:
    secret = secret_of(item["secret"])
    fixed = item.get("clock")
    clock = (lambda: fixed) if fixed is not None else time.time
    decoded = decode_signed_value(secret, item["name"], item["java_signed"], max_age_days=31, clock=clock)
    signed = create_signed_value(secret, item["name"], item["value"], clock=clock, key_version=item.get("key_version"))
    out.append({
        "python_decoded": None if decoded is None else decoded.decode("utf-8"),
        "python_signed": signed.decode("utf-8"),
    })
json.dump({"tornado_version": tornado.version, "items": out}, sys.stdout, ensure_ascii=False)
