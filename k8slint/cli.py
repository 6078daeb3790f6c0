"""The command line: parses options, calls the engine, picks a reporter, sets the exit code.

Exit codes: 0 nothing at or above --fail-level, 1 findings, 2 usage or
internal error. Heavy modules are imported inside the commands so that
`k8slint --version` starts fast.
"""

from __future__ import annotations

import fnmatch
import sys
import textwrap

import click

from k8slint import __version__
from k8slint.model import SEVERITIES, severity_rank

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _id_list(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def _match_rules(patterns: list[str], known: list[str], option: str) -> set[str]:
    """Rule ids from exact ids or glob patterns (`pod-*`); `all` means every rule."""
    chosen: set[str] = set()
    for pattern in patterns:
        matched = known if pattern == "all" else fnmatch.filter(known, pattern)
        if not matched:
            raise click.UsageError(f"{option}: no rule matches {pattern!r} (see `k8slint rules`)")
        chosen.update(matched)
    return chosen


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="k8slint")
def cli() -> None:
    """A linter for Kubernetes manifests."""


def main() -> None:
    """Console entry point: an unexpected exception is exit code 2, never 1.

    CI reads 1 as "the manifests have findings"; a crash must not look like that.
    """
    try:
        cli(standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_ERROR)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_ERROR)
    except SystemExit:
        raise
    except Exception:
        import traceback

        traceback.print_exc()
        click.echo("k8slint: internal error (please report it with the traceback above)", err=True)
        sys.exit(EXIT_ERROR)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--fail-level",
    type=click.Choice(SEVERITIES),
    default="warning",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option("--select", help="Only these rules (comma-separated ids or globs, e.g. 'pod-*').")
@click.option("--ignore", help="Skip these rules (comma-separated ids or globs).")
@click.option("--kubernetes-version", help="Target Kubernetes version (default: newest bundled).")
@click.option(
    "--strict/--no-strict",
    default=True,
    help="Unknown fields are schema errors, as with kubectl's default (--no-strict: allowed).",
)
@click.option(
    "--context",
    "context_paths",
    multiple=True,
    type=click.Path(),
    help="Files or directories loaded for cross-object rules but not reported on.",
)
@click.option(
    "--crd-dir",
    "crd_paths",
    multiple=True,
    type=click.Path(),
    help="Files or directories with CustomResourceDefinitions (loaded like --context).",
)
@click.option("--stdin-filename", default="<stdin>", help="Name to report for `-`.")
@click.option("--show-source/--no-show-source", default=None, help="Default: on a terminal.")
@click.option("--color/--no-color", default=None, help="Default: on a terminal.")
def lint(
    paths: tuple[str, ...],
    output_format: str,
    fail_level: str,
    select: str | None,
    ignore: str | None,
    kubernetes_version: str | None,
    strict: bool,
    context_paths: tuple[str, ...],
    crd_paths: tuple[str, ...],
    stdin_filename: str,
    show_source: bool | None,
    color: bool | None,
) -> None:
    """Lint manifests in PATHS (files, directories, or - for stdin; default: .)."""
    from k8slint.apischema import UnsupportedVersionError, parse_version
    from k8slint.discover import discover
    from k8slint.engine import Engine
    from k8slint.registry import load_rules
    from k8slint.report import ReportSettings, renderer

    rules = load_rules()
    known = list(rules)
    enabled = _match_rules(_id_list(select), known, "--select") if select else set(known)
    enabled -= _match_rules(_id_list(ignore), known, "--ignore")
    try:
        version = parse_version(kubernetes_version) if kubernetes_version else None
    except UnsupportedVersionError as error:
        raise click.UsageError(str(error)) from None

    found = discover(list(paths), stdin_filename)
    context_paths += crd_paths
    context = discover(list(context_paths)) if context_paths else None
    for missing in [*found.missing, *(context.missing if context else [])]:
        click.echo(f"k8slint: error: {missing}: no such file or directory", err=True)

    engine = Engine([rules[rule_id] for rule_id in known if rule_id in enabled], version, strict)
    result = engine.lint(found.files, context.files if context else ())
    for file, message in found.notices:
        click.echo(f"{file}: note: {message}", err=True)
    for notice in result.notices:
        label = "error" if notice.is_error else "note"
        click.echo(f"{notice.file}:{notice.line}: {label}: {notice.message}", err=True)

    on_terminal = sys.stdout.isatty()
    use_source = on_terminal if show_source is None else show_source
    settings = ReportSettings(
        color=on_terminal if color is None else color,
        show_source=use_source and output_format == "text",
        sources=_read_sources(result.findings) if use_source else None,
    )
    click.echo(renderer(output_format)(result, settings), nl=False)

    if found.missing or (context and context.missing) or result.internal_errors:
        sys.exit(EXIT_ERROR)
    fail_rank = severity_rank(fail_level)
    failing = any(severity_rank(f.severity) <= fail_rank for f in result.findings)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _read_sources(findings: list) -> dict[str, str]:
    sources: dict[str, str] = {}
    for file in {finding.file for finding in findings}:
        try:
            with open(file, encoding="utf-8-sig", errors="replace") as handle:
                sources[file] = handle.read()
        except OSError:
            continue
    return sources


@cli.command(name="rules")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
def list_rules(output_format: str) -> None:
    """List every rule with its default severity."""
    import json

    from k8slint.registry import load_rules

    rules = load_rules().values()
    if output_format == "json":
        rows = [
            {"id": r.id, "severity": r.severity, "category": r.category, "summary": r.summary}
            for r in rules
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(rule.id) for rule in rules)
    for rule in rules:
        click.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}")


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain a rule: what it does, why, a bad example and the fixed one."""
    from k8slint.registry import load_rules

    rules = load_rules()
    rule = rules.get(rule_id)
    if rule is None:
        close = fnmatch.filter(rules, f"*{rule_id}*")
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise click.UsageError(f"unknown rule {rule_id!r}.{hint}")
    click.echo(f"{rule.id} ({rule.severity})\n")
    sections = [
        ("What it does", rule.summary),
        ("Why", rule.principle),
        ("How to fix", rule.fix),
        ("Bad", rule.examples["bad"]),
        ("Good", rule.examples["good"]),
    ]
    for title, body in sections:
        click.echo(f"{title}:")
        click.echo(textwrap.indent(body.rstrip("\n"), "    "))
        click.echo()
