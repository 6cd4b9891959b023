"""Hostile sizes and shapes (issue #11): time and peak memory of whole `policylint scan` runs.

    python bench/hostile.py [--scale 1.0]

Growth cases run at three sizes, each twice the one before, so that linear growth shows as time
doubling with size (a quadratic path would quadruple):

* thousands of S3 buckets in one template;
* a long minified line full of key-shaped values (the credential finder);
* a big heredoc with an interpolation on every line (template line counting);
* with ``--big``: a Terraform file of ordinary resources at 10, 20 and 50 MB (item 7: under 2 GiB
  at 50 MB, time linear) and a plan at 50, 100 and 200 MB.

Single cases (each beside a healthy file that must still be reported):

* item 2, exponential wildcards: a `*a` x22 resource pattern on a 63-character bucket name and an
  `s3:` + `*?` x12 + `0` action;
* item 3, unbounded evaluation: 40 doubling locals (strings, concat, products, tuples) and a
  template that renders itself twice;
* item 5, secrets in parse errors: an unterminated heredoc whose first line is a secret key.

Timing lives here, never in the tests (the tests hold small sizes and generous limits).
"""

from __future__ import annotations

import argparse
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
HEALTHY = 'resource "aws_s3_bucket_acl" "ok" {\n  bucket = "healthy"\n  acl    = "public-read"\n}\n'


def run(path: Path) -> tuple[float, float, int, str]:
    """Seconds, peak RSS in MiB, exit code and output of one scan."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "policylint", "scan", str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV)
    output = process.stdout.read().decode("utf-8", "replace")  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, process.returncode, output


# --------------------------------------------------------------------------- growth cases


def buckets(directory: Path, count: int) -> None:
    lines = ["Resources:"]
    for i in range(count):
        lines += [f"  B{i}:", "    Type: AWS::S3::Bucket", "    Properties:", f"      BucketName: bucket-{i}"]
    (directory / "template.yaml").write_text("\n".join(lines) + "\n")


def minified(directory: Path, kilobytes: int) -> None:
    rng = random.Random(kilobytes)

    def secret() -> str:
        return "".join(rng.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))

    def key_id() -> str:
        return "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    items, size = [], 0
    while size < kilobytes * 1024:
        item = f'"k{len(items)}":"{key_id()}","aws_secret_access_key":"{secret()}","x":"{secret()} {secret()}"'
        items.append(item)
        size += len(item) + 1
    (directory / "config.json").write_text("{" + ",".join(items) + "}\n")


def heredoc(directory: Path, kilobytes: int) -> None:
    lines, size = [], 0
    while size < kilobytes * 1024:
        line = f'  "line {len(lines)}": "${{var.name}}-{len(lines)}",\n'
        lines.append(line)
        size += len(line)
    (directory / "main.tf").write_text(
        'variable "name" {\n  default = "x"\n}\nresource "aws_ssm_parameter" "p" {\n  name  = "p"\n  type  = "String"\n'
        '  value = <<EOT\n{\n' + "".join(lines) + '  "end": 1\n}\nEOT\n}\n'
    )


BUCKET_BLOCK = 'resource "aws_s3_bucket" "b%d" {\n  bucket = "acme-bucket-%d"\n  acl    = "private"\n  tags = {\n    Team = "platform"\n    Env  = "prod-%d"\n  }\n}\n\n'


def big_tf(directory: Path, megabytes: int) -> None:
    with open(directory / "main.tf", "w") as out:
        index = 0
        while out.tell() < megabytes * 1024 * 1024:
            out.write(BUCKET_BLOCK % (index, index, index))
            index += 1


def big_plan(directory: Path, megabytes: int) -> None:
    """A `terraform show -json` plan of many buckets, written as a stream."""
    with open(directory / "plan.json", "w") as out:
        out.write('{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {"resources": [')
        index = 0
        while out.tell() < megabytes * 1024 * 1024:
            out.write(("," if index else "") + '{"address": "aws_s3_bucket.b%d", "mode": "managed", "type": "aws_s3_bucket", '
                      '"name": "b%d", "values": {"bucket": "acme-bucket-%d", "acl": "private", "tags": {"Team": "platform"}}}' % (index, index, index))
            index += 1
        out.write("]}}}\n")


BIG = {
    "Terraform file of resources": (big_tf, [10, 20, 50], "MB"),
    "plan of buckets": (big_plan, [50, 100, 200], "MB"),
}

GROWTH = {
    "buckets in one template": (buckets, [1000, 2000, 4000], "buckets"),
    "minified line of key-shaped values": (minified, [10, 20, 40], "kB"),
    "heredoc with an interpolation per line": (heredoc, [512, 1024, 2048], "kB"),
}


# --------------------------------------------------------------------------- single cases


def _doubling(first: str, step: str, use: str) -> str:
    lines = [f"  l0 = {first}"] + [f"  l{i} = " + step.format(p=f"local.l{i - 1}") for i in range(1, 41)]
    return "locals {\n" + "\n".join(lines) + "\n}\n" + 'resource "aws_s3_bucket" "b" {\n  bucket = ' + use + "\n}\n"


SINGLE = {
    "2 wildcard: *a x22 resource, *? x12 action": {
        "template.yaml": "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: " + "a" * 63 + "\n"
        "  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n      PolicyDocument:\n        Statement:\n"
        "          - Effect: Deny\n            Principal: '*'\n            Action: 's3:" + "*?" * 12 + "0'\n"
        "            Resource: 'arn:aws:s3:::" + "*a" * 22 + "b/*'\n",
    },
    "3 doubling strings": {"main.tf": _doubling('"ab"', '"${{{p}}}${{{p}}}"', "local.l40")},
    "3 doubling concat": {"main.tf": _doubling('["a"]', "concat({p}, {p})", 'join("", local.l40)')},
    "3 doubling products": {"main.tf": _doubling("3", "{p} * {p}", '"x${local.l40}"')},
    "3 doubling tuples": {"main.tf": _doubling('["a"]', "[{p}, {p}]", "jsonencode(local.l40)")},
    "3 templatefile renders itself twice": {
        "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = templatefile("${path.module}/t.tpl", {})\n}\n',
        "t.tpl": '${templatefile("t.tpl", {})}${templatefile("t.tpl", {})}\n',
    },
    "5 secret key in an unterminated heredoc": {
        "main.tf": 'resource "aws_iam_policy" "p" {\n  policy = <<EOF\ns8Kq2cE/7rTz1LmNw5VbX9yH3pQfA0uJ+dGk4oWi\n',
    },
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the growth sizes")
    parser.add_argument("--big", action="store_true", help="also the 10-50 MB Terraform and 50-200 MB plan cases (minutes)")
    options = parser.parse_args()
    growth = {**GROWTH, **(BIG if options.big else {})}
    print(f"{'case':<46} {'size':>12} {'seconds':>8} {'peak MiB':>9}  exit")
    with tempfile.TemporaryDirectory() as scratch:
        for label, (make, sizes, unit) in growth.items():
            previous = None
            for size in sizes:
                size = max(1, int(size * options.scale))
                directory = Path(scratch, f"{make.__name__}-{size}")
                directory.mkdir()
                make(directory, size)
                seconds, peak, code, _ = run(directory)
                ratio = f"  x{seconds / previous:.1f}" if previous else ""
                previous = seconds
                print(f"{label:<46} {size:>8} {unit:<3} {seconds:>8.2f} {peak:>9.0f}  {code}{ratio}")
        for label, files in SINGLE.items():
            directory = Path(scratch, f"single-{len(os.listdir(scratch))}")
            directory.mkdir()
            for name, text in files.items():
                (directory / name).write_text(text)
            (directory / "healthy.tf").write_text(HEALTHY)
            seconds, peak, code, output = run(directory)
            healthy = "healthy reported" if "healthy.tf:1: PL111" in output or "healthy.tf" in output else "HEALTHY MISSING"
            leak = " SECRET LEAKED" if "7rTz1LmNw5VbX9yH3pQfA0uJ" in output else ""
            print(f"{label:<46} {'':>12} {seconds:>8.2f} {peak:>9.0f}  {code}  {healthy}{leak}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
