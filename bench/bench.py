"""Time policylint the way users feel it: whole processes, medians of several runs, side by side
with checkov when it is installed.

    python bench/bench.py [--corpus ../shared/corpus] [--runs 5] [--checkov VENV] [--only NAMES]

For each tree (one `.tf`, one template, the Terraform module repositories of the corpus and the
same copied ×8, the CloudFormation templates ×1 and ×7) it measures policylint cold (a first run:
empty cache), warm (an unchanged re-scan) and, on the ×8 Terraform tree, after editing one file:
wall time, CPU time (user + system of the whole process) and peak RSS, as the median of
``--runs`` runs with the spread (min–max) beside it.  With ``--checkov VENV`` (or the
``CHECKOV_VENV`` environment variable, or a ``checkov-venv`` beside the checkout: ``python3 -m venv
../checkov-venv && ../checkov-venv/bin/pip install checkov``) checkov runs on the same trees, offline
(``--skip-download``, ``BC_SKIP_MAPPING``, ``CKV_SKIP_PACKAGE_UPDATE_CHECK``), and the table
shows the ratios.  ``--python`` runs another policylint install (e.g. a checkout before a
change, or a regular install: an editable install's import hook adds ~20 ms to every start, which
users do not pay).  The growth ratios (the ×8 and ×7 trees against the corpus) come from
``--growth-pairs`` cold runs of the big tree, each against the small tree's cold runs just
before and after it, and the checkov ratios from each checkov run against policylint's cold
runs just before and after it, so that a shared machine's load, which drifts over the minutes
between the table's rows and within a pair, cancels out.  With
``--instructions`` (valgrind installed) one cold run of each growth tree is also counted in
instructions: growth in work, whatever the load.  The last lines say which targets of the speed
issue the run met.  The CloudFormation trees leave out the corpus's templates that use Rain
modules, on which checkov stops its whole scan (see ``_checkov_aborts_on``); a checkov run that
exits with anything but 0 or 1 is shown but not compared.  Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent

# Users' installs have compiled bytecode; a PYTHONDONTWRITEBYTECODE left in the environment would
# make every run recompile every module and measure that instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
NEUTRAL = ""  # an empty directory to run from, made by main()
GROWTH = (("tf corpus ×8", "tf corpus", 8), ("cfn corpus ×7", "cfn corpus", 7))  # (big, small, copies)
CHECKOV_FINISHED = (0, 1)  # checkov's exit codes for a scan it finished (1: a check failed)
CHECKOV_ENV = {**ENV, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE", "LOG_LEVEL": "ERROR"}
# The targets of the speed issue (#9): (what, measured key, "max" or "min", bound).
TARGETS = (
    ("one .tf: cold CPU s", "one .tf cold", "max", 0.08),
    ("one template: cold CPU s", "one template cold", "max", 0.08),
    ("tf corpus: checkov / policylint cold CPU (paired)", "tf corpus checkov", "min", 150),
    ("cfn corpus: checkov / policylint cold CPU (paired)", "cfn corpus checkov", "min", 60),
    ("tf corpus ×8: cold / warm CPU", "tf corpus ×8 warm", "min", 10),
    ("tf corpus ×8: cold / after editing one file CPU", "tf corpus ×8 edit one", "min", 5),
    ("cfn corpus ×7 / cfn corpus cold CPU (pairs)", "growth cfn corpus ×7", "max", 7.5),
    ("tf corpus ×8 / tf corpus cold CPU (pairs)", "growth tf corpus ×8", "max", 8.2),
)


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mib: float
    code: int


def run_once(args: list[str], env: dict[str, str], before=None) -> Sample:
    """One whole process: wall, user+system CPU and peak RSS (from wait4)."""
    if before is not None:
        before()
    start = time.perf_counter()
    # From a neutral directory: `python -m` puts the current directory first on sys.path, and a
    # checkout there would be measured instead of the install given by --python.
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=NEUTRAL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode)


@dataclass
class Stat:
    samples: list[Sample]

    def median(self, what: str) -> float:
        return statistics.median(getattr(s, what) for s in self.samples)

    def spread(self, what: str) -> str:
        values = [getattr(s, what) for s in self.samples]
        return f"{min(values):.2f}–{max(values):.2f}"


def measure(args: list[str], runs: int, env: dict[str, str], before=None) -> Stat:
    return Stat([run_once(args, env, before) for _ in range(runs)])


def instructions(args: list[str], env: dict[str, str], before=None) -> int | None:
    """The instructions one whole process executes, counted by valgrind's callgrind: the same
    number on a busy machine as on an idle one (about 50× slower to run).  None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    if before is not None:
        before()
    done = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=env, cwd=NEUTRAL)
    for line in done.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    return None


def target_lines(measured: dict[str, float]) -> list[str]:
    """Each target of the speed issue that this run measured, met or not."""
    lines = []
    for what, key, bound_kind, bound in TARGETS:
        if key not in measured:
            continue
        value = measured[key]
        met = value <= bound if bound_kind == "max" else value >= bound
        sign = "≤" if bound_kind == "max" else "≥"
        lines.append(f"{'met    ' if met else 'NOT met'}  {what}: {value:.2f} (target {sign} {bound:g})")
    return lines


def build_trees(corpus: Path, scratch: Path, only: set[str] | None) -> list[tuple[str, Path, str]]:
    """(name, path, checkov framework) of each tree; copies are made under ``scratch``."""
    trees: list[tuple[str, Path, str]] = []
    one_tf = scratch / "one-tf"
    one_tf.mkdir()
    shutil.copy(ROOT / "examples/demo/storage.tf", one_tf / "main.tf")
    one_cfn = scratch / "one-cfn"
    one_cfn.mkdir()
    shutil.copy(ROOT / "examples/demo/dns.yaml", one_cfn / "template.yaml")
    trees += [("one .tf", one_tf, "terraform"), ("one template", one_cfn, "cloudformation")]
    for name, source, copies, framework in (
        ("tf corpus", corpus / "terraform", 1, "terraform"),
        ("tf corpus ×8", corpus / "terraform", 8, "terraform"),
        ("cfn corpus", corpus / "cloudformation", 1, "cloudformation"),
        ("cfn corpus ×7", corpus / "cloudformation", 7, "cloudformation"),
    ):
        if not source.is_dir() or (only and name not in only):
            continue
        if copies == 1 and framework == "terraform":
            trees.append((name, source, framework))
            continue
        target = scratch / name.replace(" ", "-").replace("×", "x")
        for i in range(copies):
            shutil.copytree(source, target / f"copy{i}" if copies > 1 else target, ignore=_checkov_aborts_on)
        trees.append((name, target, framework))
    return [t for t in trees if not only or t[0] in only]


def _checkov_aborts_on(folder: str, names: list[str]) -> list[str]:
    """The templates left out of the CloudFormation trees (for both tools): those that use Rain
    modules (``Type: !Rain::Module``, a pre-processor's resources).  checkov 3.3.30 stops the
    whole scan at the first one (``TypeError: unhashable type: 'dict'``, exit 2), so its time
    would be the time it takes to reach one, which depends on the order the disk lists files in."""
    return [name for name in names if _uses_rain_modules(os.path.join(folder, name))]


@functools.lru_cache(maxsize=None)
def _uses_rain_modules(path: str) -> bool:
    """(Read once per file: the ×7 tree copies the corpus seven times.)"""
    return os.path.isfile(path) and b"Rain::Module" in Path(path).read_bytes()


def first_tf_file(tree: Path) -> Path:
    return sorted(tree.rglob("*.tf"))[0]


def _command(python: str) -> list[str]:
    """How users start the policylint of ``python``'s environment: its console script, as
    pre-commit and a shell do (``python -m`` also imports runpy, importlib.util and contextlib:
    ~3 % of a one-file scan).  checkov runs through its console script too."""
    script = Path(python).parent / ("policylint.exe" if os.name == "nt" else "policylint")
    return [str(script)] if script.is_file() else [python, "-m", "policylint"]


def _sibling_checkov() -> str | None:
    """A venv named checkov-venv beside the checkout, where the README's recipe puts it."""
    venv = ROOT.parent / "checkov-venv"
    return str(venv) if (venv / "bin" / "checkov").exists() else None


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-runs", type=int, default=None, help="runs on the corpus trees (default: --runs)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose policylint is measured")
    parser.add_argument("--checkov", default=os.environ.get("CHECKOV_VENV") or _sibling_checkov(), metavar="VENV", help="a venv with checkov installed  [default: $CHECKOV_VENV, else checkov-venv beside the checkout when it exists]")
    parser.add_argument("--checkov-runs", type=int, default=3)
    parser.add_argument("--checkov-big-runs", type=int, default=None, help="checkov runs on the corpus trees (default: --checkov-runs)")
    parser.add_argument("--checkov-max-files", type=int, default=600, help="skip checkov on trees with more files (it takes minutes per run)")
    parser.add_argument("--growth-pairs", type=int, default=5, help="cold runs of each copied tree, each between cold runs of the tree it copies, for the growth ratios (0: none)")
    parser.add_argument("--only", default="", help="comma-separated tree names (e.g. 'one .tf,tf corpus')")
    parser.add_argument("--instructions", action="store_true", help="also count the instructions of one cold run of each growth tree with valgrind: growth in work, free of the machine's load (slow: minutes)")
    parser.add_argument("--no-cache-flag", action="store_true", help="the measured policylint has no --no-cache/--cache-dir (before the cache): warm runs are cold runs")
    options = parser.parse_args()
    global NEUTRAL
    NEUTRAL = tempfile.mkdtemp(prefix="policylint-bench-cwd-")
    only = {n.strip() for n in options.only.split(",") if n.strip()} or None
    checkov = Path(options.checkov, "bin", "checkov") if options.checkov else None
    if checkov is not None and not checkov.exists():
        print(f"no checkov at {checkov}: its columns are skipped", file=sys.stderr)
        checkov = None
    policylint = _command(options.python)
    print(f"cores: {os.cpu_count()}   load average at start: {_load()}   runs: {options.runs}   policylint: {' '.join(policylint)}   checkov: {checkov or 'not installed'}")
    version = measure(policylint + ["--version"], options.runs, ENV)
    print(f"policylint --version: {version.median('wall') * 1000:.0f} ms wall, {version.median('cpu') * 1000:.0f} ms CPU\n")

    header = f"{'tree':<15}{'files':>6}  {'run':<12}{'wall s':>8} {'(spread)':<13}{'CPU s':>8} {'(spread)':<13}{'RSS MiB':>8}  exit"
    rows: list[str] = []
    summary: list[str] = []
    cold_cpu: dict[str, float] = {}
    measured: dict[str, float] = {}  # what the targets are about (see TARGETS)
    cold_runs: dict[str, tuple[list[str], Callable[[], None]]] = {}  # a tree's cold command line, and what empties its cache
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        for name, tree, framework in build_trees(Path(options.corpus), scratch, only):
            files = sum(1 for p in tree.rglob("*") if p.is_file())
            cache = scratch / f"cache-{abs(hash(name))}"

            def scan_args(cache_dir: Path | None) -> list[str]:
                args = policylint + ["scan", str(tree), "--no-config", "--quiet", "--format", "json", "--output", os.devnull]
                if options.no_cache_flag:
                    return args
                return args + (["--cache-dir", str(cache_dir)] if cache_dir else ["--no-cache"])

            def fresh_cache(cache: Path = cache) -> None:  # (bound now: the growth pairs run it later)
                shutil.rmtree(cache, ignore_errors=True)

            runs = options.runs if files < 100 or options.big_runs is None else options.big_runs
            cold_runs[name] = (scan_args(cache), fresh_cache)
            results: dict[str, Stat] = {}
            results["cold"] = measure(scan_args(cache), runs, ENV, fresh_cache)
            if not options.no_cache_flag:  # without a cache, warm runs are cold runs
                run_once(scan_args(cache), ENV)  # prime
                results["warm"] = measure(scan_args(cache), runs, ENV)
            if name == "tf corpus ×8" and not options.no_cache_flag:
                edited = first_tf_file(tree)
                original = edited.read_text()
                counter = iter(range(10**6))
                results["edit one"] = measure(scan_args(cache), runs, ENV, lambda: edited.write_text(original + f"\n# edit {next(counter)}\n"))
                edited.write_text(original)
            paired: list[float] = []  # checkov's CPU over policylint's cold CPU around it, run by run
            if checkov is not None and files <= options.checkov_max_files:
                args = [str(checkov), "-d", str(tree), "--framework", framework, "--skip-download", "--quiet", "--compact", "-o", "json"]
                checkov_runs = options.checkov_runs if files < 100 or options.checkov_big_runs is None else options.checkov_big_runs
                # Each checkov run between two cold policylint runs: their mean is policylint
                # under the same load (a shared machine's drifts over the minutes checkov takes).
                samples = []
                for _ in range(checkov_runs):
                    before = run_once(scan_args(cache), ENV, fresh_cache).cpu
                    samples.append(run_once(args, CHECKOV_ENV))
                    after = run_once(scan_args(cache), ENV, fresh_cache).cpu
                    if samples[-1].code in CHECKOV_FINISHED:
                        paired.append(samples[-1].cpu / ((before + after) / 2))
                results["checkov"] = Stat(samples)
                if len(paired) < len(samples):  # a run that stopped early is no measure of a scan
                    aborted = [s.code for s in samples if s.code not in CHECKOV_FINISHED]
                    summary.append(f"{name:<15} checkov stopped before the end of the tree in {len(aborted)} of {len(samples)} runs"
                                   f" (exit {aborted[0]}): those runs are not compared")
            for label, stat in results.items():
                rows.append(
                    f"{name:<15}{files:>6}  {label:<12}{stat.median('wall'):>8.2f} ({stat.spread('wall')}){'':<{max(0, 12 - len(stat.spread('wall')) - 1)}}"
                    f"{stat.median('cpu'):>8.2f} ({stat.spread('cpu')}){'':<{max(0, 12 - len(stat.spread('cpu')) - 1)}}"
                    f"{stat.median('rss_mib'):>8.0f}  {stat.samples[-1].code}"
                )
            cold = results["cold"]
            measured[f"{name} cold"] = cold.median("cpu")
            for label in ("warm", "edit one"):
                if label in results:
                    measured[f"{name} {label}"] = cold.median("cpu") / results[label].median("cpu")
            if paired:
                measured[f"{name} checkov"] = statistics.median(paired)
            line = f"{name:<15}"
            if "warm" in results:
                line += f" warm/cold CPU ×{cold.median('cpu') / results['warm'].median('cpu'):.1f} faster"
            if "edit one" in results:
                line += f", after editing one file ×{cold.median('cpu') / results['edit one'].median('cpu'):.1f}"
            if "checkov" in results and paired:
                ck = results["checkov"]
                line += (
                    f"; checkov/policylint cold: CPU ×{statistics.median(paired):.0f} (median of {len(paired)} runs of checkov, each against"
                    f" policylint's cold runs just before and after it, ×{min(paired):.0f}–×{max(paired):.0f}; from the medians above:"
                    f" ×{ck.median('cpu') / cold.median('cpu'):.0f}),"
                    f" wall ×{ck.median('wall') / cold.median('wall'):.0f}, RSS ×{ck.median('rss_mib') / cold.median('rss_mib'):.1f}"
                )
                if "warm" in results:
                    warm = results["warm"]
                    line += f"; warm: CPU ×{ck.median('cpu') / warm.median('cpu'):.0f}, wall ×{ck.median('wall') / warm.median('wall'):.0f}"
            summary.append(line)
            cold_cpu[name] = cold.median("cpu")
            print("\n".join(rows[-len(results):]), flush=True)
        # Growth from medians measured minutes apart mixes in how busy a shared machine was
        # meanwhile; each cold run of the big tree against cold runs of the small one just
        # before and after it (as checkov's runs above) does not, even while the load drifts.
        growth: list[str] = []
        for big, small, copies in GROWTH:
            if big in cold_runs and small in cold_runs and options.growth_pairs > 0:
                ratios = []
                small_args, small_fresh = cold_runs[small]
                big_args, big_fresh = cold_runs[big]
                before = run_once(small_args, ENV, small_fresh).cpu
                for _ in range(options.growth_pairs):
                    big_cpu = run_once(big_args, ENV, big_fresh).cpu
                    after = run_once(small_args, ENV, small_fresh).cpu
                    ratios.append(big_cpu / ((before + after) / 2))
                    before = after  # the run after one big run is the run before the next
                measured[f"growth {big}"] = statistics.median(ratios)
                growth.append(
                    f"growth: {copies}× the files took ×{statistics.median(ratios):.2f} the cold CPU ({big} / {small}; median of "
                    f"{len(ratios)} runs, each against the small tree's cold runs just before and after it, {min(ratios):.2f}–{max(ratios):.2f};"
                    f" from the medians above: ×{cold_cpu[big] / cold_cpu[small]:.2f})"
                )
            if big in cold_runs and small in cold_runs and options.instructions:
                counts = [instructions(cold_runs[name][0], ENV, cold_runs[name][1]) for name in (small, big)]
                if None in counts:
                    growth.append("growth in instructions: not counted (valgrind is not installed)")
                else:
                    growth.append(
                        f"growth in instructions: {copies}× the files took ×{counts[1] / counts[0]:.2f} the instructions of one cold run"
                        f" ({big}: {counts[1] / 1e6:,.0f} M; {small}: {counts[0] / 1e6:,.0f} M; valgrind, whatever the machine's load)"
                    )
    print(f"\nload average at end: {_load()} (the machine is shared: compare medians, mind the spread)")
    print("\n" + header)
    print("\n".join(rows))
    print()
    print("\n".join(summary))
    print("\n".join(growth))
    targets = target_lines(measured)
    if targets:
        print("\ntargets of the speed issue measured in this run:")
        print("\n".join(targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
