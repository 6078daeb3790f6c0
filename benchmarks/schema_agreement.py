"""Does k8slint's `schema` rule agree with kubernetes-validate's own `validate()`?

Runs both over every object of a directory (default ../shared/corpus) and prints
the agreement figure (same valid/invalid verdict), the disagreements, and what
each costs per object: our cached validators against `validate()`, which reads
the schema files and builds a validator on every call.

Both get the same data: the objects as k8slint's loader types them (YAML 1.1,
as Kubernetes reads them), so the comparison is about validation, not YAML.

    python3 benchmarks/schema_agreement.py [PATH] [--kubernetes-version 1.37] [--no-strict]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from k8slint.checks.api import CheckContext
from k8slint.checks.schema import builtin_schema
from k8slint.kube.filekinds import is_kustomize_input
from k8slint.kube.openapi import format_version, newest_version, parse_version
from k8slint.kube.validators import builtin_validator
from k8slint.load.discover import discover
from k8slint.load.loader import load_file
from k8slint.model import Resource, format_path

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def theirs(validate, data: dict, version: str, strict: bool) -> tuple[str, str | None, tuple]:
    """('valid' | 'invalid' | 'no-schema', first error path and message, its path)."""
    import kubernetes_validate

    try:
        validate(data, version, strict)
    except kubernetes_validate.ValidationError as error:
        path = tuple(error.path)
        return "invalid", f"{format_path(path)}: {error.message[:120]}", path
    except kubernetes_validate.SchemaNotFoundError:
        return "no-schema", None, ()
    return "valid", None, ()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--kubernetes-version", default=format_version(newest_version()))
    parser.add_argument("--no-strict", action="store_true")
    parser.add_argument("--show", type=int, default=40, help="disagreements to print")
    args = parser.parse_args()
    version = parse_version(args.kubernetes_version)
    strict = not args.no_strict
    context = CheckContext(version, {}, strict=strict)

    warnings.simplefilter("ignore")
    from kubernetes_validate import validate

    resources: list[Resource] = []
    for item in discover([args.path]).files:
        if item.path:
            resources.extend(load_file(item.path, item.display).resources)

    ours_time = theirs_time = 0.0
    compared = 0
    verdicts: Counter[str] = Counter()
    disagreements: list[str] = []
    one_sided: Counter[str] = Counter()
    timed = patches = same_place = 0
    for resource in resources:
        api_version, kind = resource.api_version, resource.kind
        if not api_version or not kind or not isinstance(resource.data.get("metadata"), dict):
            continue
        builtin_validator(version, strict, api_version, kind)  # warm: we build each once
        start = time.perf_counter()
        problems = list(builtin_schema(resource, context))
        ours_time += time.perf_counter() - start
        start = time.perf_counter()
        their_verdict, their_error, their_path = theirs(
            validate, resource.data, args.kubernetes_version, strict
        )
        theirs_time += time.perf_counter() - start
        timed += 1
        ours_known = builtin_validator(version, strict, api_version, kind) is not None
        if their_verdict == "no-schema" or not ours_known:
            if their_verdict != "no-schema" or ours_known:
                one_sided[f"{api_version} {kind} (theirs: {their_verdict})"] += 1
            continue
        compared += 1
        our_verdict = "invalid" if problems else "valid"
        verdicts[f"ours {our_verdict} / theirs {their_verdict}"] += 1
        if problems and their_verdict == "invalid":
            # Their error sits at the node, ours at the node or the field under it
            # (an unknown or missing field is reported at its own path).
            same_place += any(p.path[: len(their_path)] == their_path for p in problems)
        if our_verdict != their_verdict:
            where = f"{os.path.relpath(resource.file, args.path)}:{resource.pos(())[0]}"
            detail = problems[0].message[:120] if problems else their_error
            if is_kustomize_input(resource):  # deliberate: an input may lack required fields
                patches += 1
                detail = f"[Kustomize patch] {detail}"
            disagreements.append(f"  {where} {kind}: {our_verdict} vs {their_verdict}: {detail}")

    agreed = sum(n for key, n in verdicts.items() if key.count("invalid") != 1)
    print(f"kubernetes {format_version(version)}, strict={strict}, {len(resources)} objects loaded")
    print(f"compared (a built-in kind both know): {compared}")
    for key, count in sorted(verdicts.items()):
        print(f"  {key}: {count}")
    print(f"agreement: {agreed}/{compared} = {100 * agreed / max(compared, 1):.1f}%")
    whole = compared - patches
    print(
        f"agreement leaving out the {patches} Kustomize patches where we differ on purpose: "
        f"{agreed}/{whole} = {100 * agreed / max(whole, 1):.1f}%"
    )
    if one_sided:
        print("objects only one side has a schema for:")
        for key, count in one_sided.most_common():
            print(f"  {key}: {count}")
    both = verdicts["ours invalid / theirs invalid"]
    print(f"both invalid, their first error at one of our findings' nodes: {same_place}/{both}")
    print(f"disagreements ({len(disagreements)}):")
    print("\n".join(disagreements[: args.show]))
    per = max(timed, 1)
    print(
        f"cost per object ({timed} objects): ours {1000 * ours_time / per:.3f} ms "
        f"(cached validators, every error), kubernetes-validate validate() "
        f"{1000 * theirs_time / per:.2f} ms (first error only)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
