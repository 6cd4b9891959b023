"""Time policylint the way users feel it: whole processes, medians of several runs.

    python bench/bench.py [--corpus ../shared/corpus] [--runs 5]

Reports: `policylint --version`, a cold one-file scan of a CloudFormation template and of a
Terraform file, and a whole-corpus scan (files/s).  Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Users' installs have compiled bytecode; a PYTHONDONTWRITEBYTECODE left in the environment would
# make every run recompile every module and measure that instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(args: list[str], runs: int) -> tuple[float, int]:
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)  # warm caches
    samples, code = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV).returncode
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    cli = [sys.executable, "-m", "policylint"]
    rows = [("policylint --version", cli + ["--version"], options.runs)]
    with tempfile.TemporaryDirectory() as scratch:
        cfn = Path(scratch, "one.yaml")
        cfn.write_text((ROOT / "examples/demo/dns.yaml").read_text())
        tf = Path(scratch, "one")
        tf.mkdir()
        (tf / "main.tf").write_text((ROOT / "examples/demo/storage.tf").read_text())
        rows += [
            ("scan one CloudFormation file", cli + ["scan", str(cfn)], options.runs),
            ("scan one Terraform file", cli + ["scan", str(tf)], options.runs),
        ]
        print(f"{'what':<40} {'median':>9}  exit")
        for label, args, runs in rows:
            seconds, code = timed(args, options.runs)
            print(f"{label:<40} {seconds * 1000:>7.0f}ms  {code}")
    corpus = Path(options.corpus)
    if corpus.is_dir():
        files = sum(1 for p in corpus.rglob("*") if p.is_file())
        seconds, code = timed(cli + ["scan", str(corpus), "--format", "json", "--output", os.devnull], 3)
        print(f"{'scan the whole corpus (' + str(files) + ' files)':<40} {seconds:>8.2f}s  {code}  ({files / seconds:.0f} files/s)")
    else:
        print(f"corpus not found at {corpus}: skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
