"""Sentence-splits the first 2 MB of a file with pysbd (the rule-based splitter a Python user
would pick) and prints its throughput, for the text benchmark's side-by-side line.
pysbd is far slower than Driftlens, so it runs on a 2 MB prefix and the rate is reported.
Install with `pip install pysbd`."""
import sys
import time

import pysbd

text = open(sys.argv[1], encoding="utf-8").read()
prefix = text[: 2 * 1024 * 1024]
mb = len(prefix.encode("utf-8")) / (1024 * 1024)
seg = pysbd.Segmenter(language="en", clean=False)
t0 = time.perf_counter()
n = 0
for para in prefix.split("\n\n"):
    n += len(seg.segment(para))
dt = time.perf_counter() - t0
print(f"pysbd 0.3 (Python, English rules, no detection) on a {mb:.1f} MB prefix: {dt:.3f} s ({mb / dt:.2f} MB/s), {n} sentences")
