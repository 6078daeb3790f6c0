"""Noise budget: findings per 100 objects of each preset on ../shared/corpus.

A linter that fires on nearly every object of a real repository gets switched
off; `recommended` must stay under 20 findings per 100 objects. Each preset
runs as `k8slint lint --preset NAME` would (its rules, its severities), with
the most frequent rules listed so that a jump is easy to trace.

    python benchmarks/noise.py [--corpus DIR] [--preset NAME ...] [--top N]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus")
BUDGET = {"recommended": 20.0}
"""Findings per 100 objects a preset must stay under (the others are opt-in)."""


def measure(corpus: str, preset: str) -> tuple[int, Counter[str]]:
    """Objects linted and findings per rule for one preset."""
    sys.path.insert(0, REPO)
    from k8slint.config.file import Config, RulePolicy
    from k8slint.engine.registry import load_rules
    from k8slint.engine.run import Engine
    from k8slint.load.discover import discover

    config = Config(presets=[preset])
    policy = RulePolicy(config, list(load_rules()))
    rules = config.configure_rules(load_rules())
    running = policy.rules_to_run()
    engine = Engine([rule for rule_id, rule in rules.items() if rule_id in running], policy=policy)
    result = engine.lint(discover([corpus]).files)
    return result.objects, Counter(finding.rule for finding in result.findings)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, REPO)
    from k8slint.presets import load_presets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--preset", action="append", choices=list(load_presets()))
    parser.add_argument("--top", type=int, default=5, help="rules listed per preset")
    args = parser.parse_args(argv)
    over = False
    for preset in args.preset or list(load_presets()):
        objects, per_rule = measure(args.corpus, preset)
        total = sum(per_rule.values())
        rate = 100 * total / objects if objects else 0.0
        budget = BUDGET.get(preset)
        verdict = "" if budget is None else (" ok" if rate < budget else f" OVER {budget:g}")
        over |= budget is not None and rate >= budget
        print(f"{preset:<24} {total:>6} findings  {objects:>6} objects  {rate:6.1f}/100{verdict}")
        for rule, count in per_rule.most_common(args.top):
            print(f"    {rule:<34} {count:>6}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
