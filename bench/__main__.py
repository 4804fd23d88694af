"""Command line: ``python -m bench [quick|full] [options]`` and ``python -m bench generate``."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
from pathlib import Path
from typing import Any

from bench import run
from bench.datagen import dataset_path
from bench.shapes import by_name


def variant(text: str) -> tuple[str, list[str]]:
    """Parse NAME=ARGS (a kg serve variant: extra command-line arguments)."""
    name, sep, args = text.partition("=")
    if not sep or not name.startswith("kg"):
        raise argparse.ArgumentTypeError("expected NAME=ARGS with NAME starting with 'kg'")
    return name, shlex.split(args)


def parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("mode", choices=("quick", "full", "generate"), nargs="?", default="quick")
    ap.add_argument("--scales", help="comma-separated triple counts (quick: 100000)")
    ap.add_argument("--rounds", type=int, help="rounds; medians are taken over them")
    ap.add_argument("--seconds", type=int, help="wrk duration per shape and connection count")
    ap.add_argument("--budget", type=float, help="wall-clock limit in seconds for the run")
    ap.add_argument("--engines", help="comma-separated subset of kg,oxigraph,rdflib")
    ap.add_argument("--shapes", default="all", help="comma-separated shape names, or all")
    ap.add_argument(
        "--kg-variant",
        type=variant,
        action="append",
        default=[],
        metavar="NAME=ARGS",
        help="also run kg serve with extra arguments, e.g. kg-w2='--workers 2' (repeatable)",
    )
    ap.add_argument("--no-stream", action="store_true", help="skip the 500k-row streaming probe")
    ap.add_argument("--out", type=Path, help="generate: output directory (default bench/.data)")
    return ap


def plan_from(args: argparse.Namespace) -> run.Plan:
    """Start from the mode's plan and apply the options given."""
    plan = run.FULL if args.mode == "full" else run.QUICK
    changes: dict[str, Any] = {"shapes": by_name(args.shapes)}
    if args.scales:
        changes["scales"] = tuple(int(s) for s in args.scales.split(","))
    for name in ("rounds", "seconds"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.budget is not None:
        changes["budget_s"] = args.budget
    if args.engines:
        changes["engines"] = tuple(args.engines.split(","))
    if args.kg_variant:
        changes["kg_variants"] = {**plan.kg_variants, **dict(args.kg_variant)}
    if args.no_stream:
        changes["stream"] = False
    return dataclasses.replace(plan, **changes)


def main() -> int:
    """Run the benchmark or generate a dataset."""
    args = parser().parse_args()
    if args.mode == "generate":
        for scale in (args.scales or "100000").split(","):
            print(dataset_path(args.out or run.CACHE, int(scale)))
        return 0
    plan = plan_from(args)
    return run.main(plan, standard=plan == (run.FULL if args.mode == "full" else run.QUICK))


if __name__ == "__main__":
    sys.exit(main())
