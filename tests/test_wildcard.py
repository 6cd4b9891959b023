"""The wildcard matcher agrees with the regular-expression translation it replaced, and the
patterns that made that translation exponential finish in milliseconds."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.policy import evaluate, s3_actions
from policylint.policy.evaluate import ANY, NAME, VAR, Match
from policylint.policy.wildcard import STAR, compile_literals, compile_pieces


def reference(pattern: str, text: str, ignore_case: bool) -> bool:
    source = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(source, text, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def pieces(pattern: str):
    return [STAR if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]


@settings(max_examples=600, deadline=None)
@given(st.text("ab*?", max_size=9), st.text("abAB*?", max_size=10), st.booleans())
def test_agrees_with_the_regex_translation(pattern, text, ignore_case):
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    assert compile_pieces(pieces(pattern), flags).fullmatch(text) == reference(pattern, text, ignore_case)


# Literal segments are matched with string methods; case folding beyond ASCII (the Kelvin sign
# matches `k`, `ſ` matches `s`) is left to the regular expression.
@settings(max_examples=600, deadline=None)
@given(st.text("ksKS.-\n*?", max_size=9), st.text("ksKS\u212a\u017f\u0130i.-\n*?", max_size=10), st.booleans())
def test_literal_segments_agree_with_the_regex_translation(pattern, text, ignore_case):
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    assert compile_pieces(pieces(pattern), flags).fullmatch(text) == reference(pattern, text, ignore_case)


# The evaluator's markers for unknown pieces are private-use characters, which have no case:
# literal segments still match them by string methods, with the regular expression's result.
@settings(max_examples=600, deadline=None)
@given(st.text("ksKS.-*?", max_size=9), st.text("ksKS.-\u212a" + ANY + NAME + VAR + "\ue00f", max_size=10), st.booleans())
def test_literal_segments_agree_on_private_use_markers(pattern, text, ignore_case):
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    assert compile_pieces(pieces(pattern), flags).fullmatch(text) == reference(pattern, text, ignore_case)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("ab-", max_size=3), min_size=1, max_size=4), st.text("ab-", max_size=10))
def test_literals_with_gaps(parts, text):
    source = ".*".join(re.escape(p) for p in parts)
    assert compile_literals(parts).fullmatch(text) == (re.fullmatch(source, text, re.DOTALL) is not None)


@settings(max_examples=300, deadline=None)
@given(st.text("aB*?" + VAR, max_size=8), st.text("abAB", max_size=8), st.booleans())
def test_evaluate_match_agrees_on_full_matches(pattern, text, ignore_case):
    expected = VAR not in pattern and reference(pattern, text, ignore_case)
    assert (evaluate.match(pattern, text, ignore_case) is Match.ALL) == expected


def test_holes_are_not_single_characters():
    assert evaluate.match("a?", "a" + ANY) is not Match.ALL
    assert evaluate.match("a*", "a" + NAME) is Match.ALL


def _elapsed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_hostile_resource_pattern_is_fast():
    # issue #11 item 2: `arn:aws:s3:::` + `*a` x22 + `b/*` against a bucket of 63 `a`
    pattern = "arn:aws:s3:::" + "*a" * 22 + "b/*"
    subject = "arn:aws:s3:::" + "a" * 63 + "/" + ANY
    assert _elapsed(lambda: evaluate.match(pattern, subject)) < 5  # exponential matching never finished; generous under load
    assert evaluate.match(pattern, subject) is Match.SOME  # the last `*` may hold the `/`
    assert _elapsed(lambda: evaluate.match(pattern, "arn:aws:s3:::" + "a" * 3000 + "c/x")) < 5  # exponential matching never finished; generous under load


def test_hostile_action_pattern_is_fast():
    pattern = "s3:" + "*?" * 12 + "0"
    assert _elapsed(lambda: s3_actions.expand(pattern)) < 5  # exponential matching never finished; generous under load
    assert s3_actions.expand(pattern) == ()
    assert s3_actions.expand("s3:get*acl") == tuple(a for a in s3_actions.ACTIONS if a.lower().startswith("s3:get") and a.endswith("Acl"))


def test_hostile_template_finishes(tmp_path):
    from policylint.engine import Options, lint

    (tmp_path / "hostile.yaml").write_text(
        "Resources:\n"
        "  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: " + "a" * 63 + "\n"
        "  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n"
        "      PolicyDocument:\n        Statement:\n          - Effect: Deny\n            Principal: '*'\n"
        "            Action: 's3:" + "*?" * 12 + "0'\n"
        "            Resource: 'arn:aws:s3:::" + "*a" * 22 + "b/*'\n"
    )
    (tmp_path / "healthy.tf").write_text('resource "aws_s3_bucket_acl" "b" {\n  bucket = "x"\n  acl    = "public-read"\n}\n')
    start = time.perf_counter()
    report = lint([str(tmp_path)], Options())
    assert time.perf_counter() - start < 10
    assert any(f.file.endswith("healthy.tf") for f in report.findings)
