"""The benchmark's verdict on the speed issue's targets (the timing itself is never tested)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_each_measured_target_is_said_met_or_not_and_unmeasured_ones_are_left_out():
    bench = _bench()
    lines = bench.target_lines({"one .tf cold": 0.05, "cfn corpus checkov": 47.0, "growth tf corpus ×8": 8.2})
    assert lines == [
        "met      one .tf: cold CPU s: 0.05 (target ≤ 0.08)",
        "NOT met  cfn corpus: checkov / policylint cold CPU (paired): 47.00 (target ≥ 60)",
        "met      tf corpus ×8 / tf corpus cold CPU (pairs): 8.20 (target ≤ 8.2)",
    ]


def test_a_bound_is_met_from_either_side_as_the_target_says():
    bench = _bench()
    assert bench.target_lines({"one template cold": 0.09})[0].startswith("NOT met")
    assert bench.target_lines({"tf corpus ×8 warm": 10.0})[0].startswith("met")
    assert bench.target_lines({"growth cfn corpus ×7": 7.6})[0].startswith("NOT met")


def test_every_target_names_a_measurement_the_benchmark_makes():
    bench = _bench()
    trees = {"one .tf", "one template", "tf corpus", "tf corpus ×8", "cfn corpus", "cfn corpus ×7"}
    made = {f"{tree} {run}" for tree in trees for run in ("cold", "warm", "edit one", "checkov")}
    made |= {f"growth {big}" for big, _, _ in bench.GROWTH}
    assert {key for _, key, _, _ in bench.TARGETS} <= made


def test_templates_checkov_stops_its_scan_on_are_left_out_of_the_trees(tmp_path):
    bench = _bench()
    source = tmp_path / "corpus" / "cloudformation"
    (source / "nested").mkdir(parents=True)
    (source / "plain.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    (source / "nested" / "rain.yaml").write_text("Resources:\n  Net:\n    Type: !Rain::Module ../vpc.yml\n")
    (source / "nested" / "rain.json").write_text('{"Resources": {"Net": {"Type": {"Rain::Module": "../vpc.yml"}}}}')
    (tmp_path / "scratch").mkdir()
    trees = {name: path for name, path, _ in bench.build_trees(tmp_path / "corpus", tmp_path / "scratch", {"cfn corpus", "cfn corpus ×7"})}
    for name, copies in (("cfn corpus", 1), ("cfn corpus ×7", 7)):
        copied = [p for p in trees[name].rglob("*") if p.is_file()]
        assert len(copied) == copies and all(p.name == "plain.yaml" for p in copied)
