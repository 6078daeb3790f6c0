"""The command line: parses options, calls the engine, picks a reporter, sets the exit code.

Exit codes: 0 nothing at or above --fail-level, 1 findings, 2 usage or
internal error. Heavy modules are imported inside the commands so that
`k8slint --version` starts fast.
"""

from __future__ import annotations

import errno
import fnmatch
import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import click

from k8slint import __version__
from k8slint.model import SEVERITIES, severity_rank
from k8slint.report import FORMATS
from k8slint.report.escape import printable

if TYPE_CHECKING:
    from k8slint.cache import Cache
    from k8slint.config.file import Config, RulePolicy
    from k8slint.engine.baseline import Baseline, BaselineSummary
    from k8slint.engine.registry import Rule
    from k8slint.engine.run import LintResult
    from k8slint.kube.openapi import Version
    from k8slint.load.discover import InputFile

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _id_list(value: str | None, option: str) -> list[str]:
    if value is None:
        return []
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids:  # `--select ","` or `--select ""` would otherwise run no rule at all
        raise click.UsageError(f"{option}: no rule id given (see `k8slint rules`)")
    return ids


def _match_rules(patterns: list[str], known: list[str], option: str) -> set[str]:
    """Rule ids from exact ids or glob patterns (`pod-*`); `all` means every rule."""
    from k8slint.config.file import match_rule_patterns

    chosen: set[str] = set()
    for pattern in patterns:
        matched = match_rule_patterns(pattern, known)
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

    The cyclic garbage collector is off for the process, as the engine turns it
    off for its run (`Engine.lint`): here it would only rescan the modules being
    imported, a tenth of a one-file lint, and the process ends by `_leave`.
    """
    gc.disable()
    try:
        cli(standalone_mode=False)
        code: Any = EXIT_CLEAN
    except OSError as error:
        _output_error(error)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        error.show()
        code = EXIT_ERROR
    except click.Abort:
        click.echo("Aborted.", err=True)
        code = EXIT_ERROR
    except SystemExit as done:
        code = done.code
    except Exception:
        _internal_error()
    _leave(code)


def _leave(code: Any) -> NoReturn:
    """Flush the outputs, then end the process without tearing down the heap.

    The run's result is written; freeing its objects one by one (every object's
    data, the schemas) was a fifth of a run's CPU, for nothing. Only here, in the
    console entry point: tests call `cli` in-process. Under a profiler or tracer
    (cProfile, coverage) the process exits normally so that they write their data.
    """
    try:
        sys.stdout.flush()  # a full disk or closed pipe shows here, not at exit
        sys.stderr.flush()
    except OSError as error:
        _output_error(error)
    if not isinstance(code, int) or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    os._exit(code)


def _output_error(error: OSError) -> NoReturn:
    if error.errno not in _OUTPUT_ERRNOS:
        _internal_error()
    _output_failed(error)


def _internal_error() -> NoReturn:
    import traceback

    traceback.print_exc()
    click.echo("k8slint: internal error (please report it with the traceback above)", err=True)
    sys.exit(EXIT_ERROR)


_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EDQUOT})
"""Write errors of the report itself (disk full, reader gone), not bugs."""


def _output_failed(error: OSError) -> NoReturn:
    """The report could not be written (stdout on a full disk, a closed pipe): one
    line and exit 2, never a traceback, and no second error when Python flushes."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    click.echo(f"k8slint: error: cannot write the report: {error.strerror or error}", err=True)
    sys.exit(EXIT_ERROR)


class LintOptions(NamedTuple):
    """The `lint` command's options, as click parsed them (one field per option).

    A named tuple, as every record the CLI and the config make before a lint:
    as immutable as a frozen dataclass, and created at import for a fifth of
    its cost (Python 3.11 compiles each of a dataclass's methods on its own).
    """

    output_format: str
    output: str | None
    fail_level: str
    select: str | None
    ignore: str | None
    presets: tuple[str, ...]
    kubernetes_version: str | None
    strict: bool | None
    context_paths: tuple[str, ...]
    crd_paths: tuple[str, ...]
    config: str | None
    baseline: str | None
    write_baseline: str | None
    stdin_filename: str
    jobs: int | None
    kustomize_command: str | None
    kustomize_timeout: float | None
    show_source: bool | None
    color: bool | None
    quiet: bool
    statistics: bool
    verbose: bool
    fix: bool = False
    diff: bool = False
    unsafe_fixes: bool = False
    no_cache: bool = False
    cache_dir: str | None = None


def _fail(messages: list[str]) -> NoReturn:
    for message in messages:
        click.echo(f"k8slint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
# What to lint and how:
@click.option("--select", help="Only these rules (comma-separated ids or globs, e.g. 'pod-*').")
@click.option("--ignore", help="Skip these rules (comma-separated ids or globs).")
@click.option(
    "--preset",
    "presets",
    multiple=True,
    metavar="NAME",
    help="Run this preset's rules instead of the config's presets (repeatable; default: "
    "recommended; see `k8slint rules`).",
)
@click.option("--kubernetes-version", help="Target Kubernetes version (default: newest bundled).")
@click.option(
    "--strict/--no-strict",
    default=None,
    help="Unknown fields are schema errors, as with kubectl's default (--no-strict: allowed; "
    "default: the config's `strict`, else strict).",
)
@click.option(
    "--context",
    "context_paths",
    multiple=True,
    type=click.Path(),
    help="Files or directories loaded for cross-object rules but not reported on.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Config file (default: .k8slint.yaml or pyproject.toml found upward from PATHS).",
)
@click.option(
    "--crd-dir",
    "crd_paths",
    multiple=True,
    type=click.Path(),
    help="Files or directories with CustomResourceDefinitions (loaded like --context).",
)
@click.option("--stdin-filename", default="<stdin>", help="Name to report for `-`.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes for large runs (default: one per core; 1: no extra process).",
)
@click.option(
    "--kustomize-command",
    help="Command that builds a Kustomize directory given as its last argument "
    "(default: `kustomize build`, else `kubectl kustomize`; `none`: lint overlays raw).",
)
@click.option(
    "--kustomize-timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="How long a Kustomize build may take before it is a `kustomize-build` finding "
    "(default: the config's `kustomize-timeout`, else 120).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the cache (config: `cache: false`; see docs/cache.md).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Where the cache is kept (default: $K8SLINT_CACHE_DIR, else the config's "
    "`cache-dir`, else .k8slint_cache beside the config file or in the current directory).",
)
# What to report:
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the --format report to this file; the terminal gets the text report.",
)
@click.option(
    "--fail-level",
    type=click.Choice(SEVERITIES),
    default="warning",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not in it.")
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    help="Record the current findings in this file and exit 0.",
)
@click.option("--quiet", "-q", is_flag=True, help="Findings only: no summary, no notes.")
@click.option("--statistics", is_flag=True, help="Add the number of findings per rule.")
@click.option("--verbose", "-v", is_flag=True, help="Also say which config files were used.")
@click.option("--show-source/--no-show-source", default=None, help="Default: on a terminal.")
@click.option("--color/--no-color", default=None, help="Default: on a terminal.")
# What to change:
@click.option(
    "--fix", is_flag=True, help="Apply the safe fixes in place, then report what remains."
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the changes --fix would make as a unified diff; write nothing "
    "(exit 1 when there is a change).",
)
@click.option(
    "--unsafe-fixes", is_flag=True, help="With --fix or --diff: apply the unsafe fixes too."
)
def lint(paths: tuple[str, ...], **options: Any) -> None:
    """Lint manifests in PATHS (files, directories, or - for stdin; default: .)."""
    sys.exit(_lint(list(paths), LintOptions(**options)))


def _lint(paths: list[str], options: LintOptions) -> int:
    from k8slint.config.file import ConfigError

    try:
        config, policy, rules = _settings(paths, options)
        version = _target_version(options, config)
    except ConfigError as error:
        _fail(str(error).splitlines())
    baseline = _baseline(options.baseline) if options.baseline else None

    if baseline is not None and baseline.lenient and not options.quiet:
        click.echo(
            f"k8slint: note: {options.baseline} is an older baseline format: its entries are "
            "matched by rule, file, object and path, without messages; "
            "rewrite it with --write-baseline",
            err=True,
        )
    if options.verbose:
        used = ", ".join(config.sources) or "none (no .k8slint.yaml found; shipped defaults)"
        click.echo(f"k8slint: config: {used}", err=True)
    fixing = options.fix or options.diff
    stdin = {options.stdin_filename: sys.stdin.buffer.read()} if fixing and "-" in paths else None
    cache = _cache(options, config)
    if cache is not None and cache.problem and not options.quiet:
        click.echo(
            f"k8slint: note: {printable(cache.problem)}; the run goes on without it", err=True
        )
    result, paths_missing = _run(
        paths, options, config, policy, rules, version, stdin, builds=not fixing, cache=cache
    )
    to_stderr = False
    if fixing:
        from k8slint.fix.session import FixSession

        gc.enable()  # off for the lint (see main); --fix's ruamel round trips are not covered
        session = FixSession(options.unsafe_fixes, stdin)
        while session.next_pass(result.findings):
            result, paths_missing = _run(
                paths,
                options,
                config,
                policy,
                rules,
                version,
                session.texts(),
                builds=False,
                cache=cache,
            )
        if options.diff:
            _echo_notices(result, options.quiet)
            click.echo(session.diff(), nl=False)
            return EXIT_ERROR if paths_missing else EXIT_FINDINGS if session.changed else EXIT_CLEAN
        stdin_text = session.write(options.stdin_filename)
        if stdin_text is not None:  # the fixed text is the output; the report goes aside
            sys.stdout.write(stdin_text)
            sys.stdout.flush()
            to_stderr = True
        for line in session.summary():
            click.echo(f"k8slint: {line}", err=True)
        if stdin_text is None:  # what remains, judged as usual (Kustomize trees built)
            result, paths_missing = _run(
                paths, options, config, policy, rules, version, cache=cache
            )
    _echo_notices(result, options.quiet)
    broken = paths_missing or bool(result.internal_errors)
    if options.write_baseline:
        from k8slint.engine.baseline import write_baseline

        try:
            count = write_baseline(options.write_baseline, result.findings)
        except OSError as error:
            _fail([f"cannot write {options.write_baseline}: {error.strerror or error}"])
        click.echo(f"k8slint: recorded {count} findings in {options.write_baseline}", err=True)
        return EXIT_ERROR if broken else EXIT_CLEAN
    baseline_summary = None
    if baseline is not None:
        rules_by_file = {file: policy.for_file(file)[0] for file in result.inventory}
        result.findings, baseline_summary = baseline.filter(result.findings, rules_by_file)

    _report(result, options, rules, baseline_summary, to_stderr)
    if broken:
        return EXIT_ERROR
    fail_rank = severity_rank(options.fail_level)
    failing = any(severity_rank(f.severity) <= fail_rank for f in result.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _baseline(path: str) -> Baseline:
    """--baseline's file, read (a run without one never imports the baseline code)."""
    from k8slint.engine.baseline import BaselineError, load_baseline

    try:
        return load_baseline(path)
    except BaselineError as error:
        _fail(str(error).splitlines())


def _run(
    paths: list[str],
    options: LintOptions,
    config: Config,
    policy: RulePolicy,
    rules: dict[str, Rule],
    version: Version | None,
    replaced: dict[str, bytes] | None = None,
    builds: bool = True,
    cache: Cache | None = None,
) -> tuple[LintResult, bool]:
    """Discover and lint; also says whether a path was missing. `replaced` gives
    the texts of files that --fix has rewritten in memory; `builds=False` lints
    Kustomize trees raw (fixes are edits of the files as written, and a build
    would not see the texts in memory)."""
    from k8slint.engine.run import Engine
    from k8slint.kustomize.build import DEFAULT_TIMEOUT as KUSTOMIZE_TIMEOUT
    from k8slint.kustomize.build import OFF as KUSTOMIZE_OFF
    from k8slint.load.discover import InputFile, discover
    from k8slint.model import Notice

    found = discover(paths, options.stdin_filename)
    files = [item for item in found.files if not config.is_excluded(item.display)]
    if replaced:
        files = [
            InputFile(item.display, data=replaced[item.display])
            if item.display in replaced
            else item
            for item in files
        ]
    context_paths = [*options.context_paths, *options.crd_paths, *config.context]
    context = discover(context_paths) if context_paths else None
    _refuse_overwriting([*found.files, *(context.files if context else [])], options)
    missing = [*found.errors, *(context.errors if context else [])]
    for message in missing:
        click.echo(f"k8slint: error: {printable(message)}", err=True)

    running = policy.rules_to_run()
    engine = Engine(
        [rule for rule_id, rule in rules.items() if rule_id in running],
        version,
        next(s for s in (options.strict, config.strict, True) if s is not None),
        options.jobs,
        policy,
        config.workload_kinds,
        (options.kustomize_command or config.kustomize_command) if builds else KUSTOMIZE_OFF,
        next(
            (t for t in (options.kustomize_timeout, config.kustomize_timeout) if t is not None),
            KUSTOMIZE_TIMEOUT,
        ),
        cache,
    )
    with _progress(len(files), options.quiet) as done:
        result = engine.lint(files, context.files if context else (), done)
    # Discovery's notes (a skipped Helm chart) are about whole files: line 1.
    result.notices[:0] = [Notice(file, 1, message) for file, message in found.notices]
    return result, bool(missing)


def _cache(options: LintOptions, config: Config) -> Cache | None:
    """The run's cache, unless --no-cache or the config's `cache: false` turn it off."""
    if options.no_cache or config.cache is False:
        return None
    from k8slint.cache import DIRECTORY_NAME, ENV_DIRECTORY, Cache
    from k8slint.cache.keys import digest

    directory = options.cache_dir or os.environ.get(ENV_DIRECTORY) or config.cache_dir
    if not directory:
        found = config.sources[-1] if config.sources else None
        beside = os.path.dirname(found) if found and found != os.devnull else os.getcwd()
        directory = os.path.join(beside, DIRECTORY_NAME)
    # What decides a run beyond the engine's settings: the config, --select/--ignore.
    settings = digest(config, options.select, options.ignore)
    return Cache(directory, settings)


def _refuse_overwriting(files: list[InputFile], options: LintOptions) -> None:
    """--output and --write-baseline must never replace a file this run reads."""
    targets = [
        (option, target)
        for option, target in (
            ("--output", options.output),
            ("--write-baseline", options.write_baseline),
        )
        if target
    ]
    read = {item.resolved() for item in files if item.path} if targets else set()
    for option, target in targets:
        if os.path.realpath(target) in read:
            _fail([f"{option} {target} is one of the linted files; refusing to overwrite it"])


def _settings(paths: list[str], options: LintOptions) -> tuple[Config, RulePolicy, dict[str, Rule]]:
    """The config (found or named), the rules as configured, and who applies where."""
    from k8slint.config.file import Config, RulePolicy, find_config, load_config
    from k8slint.engine.registry import load_rules

    shipped = load_rules()
    known = list(shipped)
    selected = _match_rules(_id_list(options.select, "--select"), known, "--select")
    ignored = _match_rules(_id_list(options.ignore, "--ignore"), known, "--ignore")
    config_file = options.config or find_config(paths)
    config = load_config(config_file, shipped) if config_file else Config()
    if options.presets:
        from k8slint.presets import UnknownPresetError, check_names

        try:
            check_names(options.presets)
        except UnknownPresetError as error:
            raise click.UsageError(f"--preset: {error}") from None
        config.presets = list(options.presets)
    policy = RulePolicy(
        config, known, lambda enabled: (selected if options.select else enabled) - ignored
    )
    return config, policy, config.configure_rules(shipped)


def _target_version(options: LintOptions, config: Config) -> Version | None:
    from k8slint.config.file import ConfigError
    from k8slint.kube.openapi import UnsupportedVersionError, parse_version

    if options.kubernetes_version:
        try:
            return parse_version(options.kubernetes_version)
        except UnsupportedVersionError as error:
            raise click.UsageError(str(error)) from None
    if config.kubernetes_version:
        try:
            return parse_version(config.kubernetes_version)
        except UnsupportedVersionError as error:
            raise ConfigError([f"{config.sources[-1]}: kubernetes-version: {error}"]) from None
    return None


PROGRESS_MIN_FILES = 50
"""Fewer files lint in about a second: a bar would only flicker."""


def show_progress(file_count: int, quiet: bool) -> bool:
    """A progress bar is for a person watching a long run: never in CI or in a pipe."""
    return (
        not quiet
        and file_count >= PROGRESS_MIN_FILES
        and not os.environ.get("CI")
        and sys.stderr.isatty()
    )


@contextmanager
def _progress(count: int, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """The engine's "files done" callback: a bar's update, or None for no bar."""
    if not show_progress(count, quiet):
        yield None
        return
    with click.progressbar(length=count, label="Linting", file=sys.stderr) as bar:
        yield bar.update


def _echo_notices(result: LintResult, quiet: bool) -> None:
    """Notes go to stderr (not in the report); --quiet keeps only the errors among them."""
    for notice in result.notices:
        if notice.is_error or not quiet:
            label = "error" if notice.is_error else "note"
            where = printable(f"{notice.file}:{notice.line}")
            click.echo(f"{where}: {label}: {printable(notice.message)}", err=True)


def _report(
    result: LintResult,
    options: LintOptions,
    rules: dict[str, Rule],
    baseline: BaselineSummary | None,
    to_stderr: bool = False,
) -> None:
    """The --format report to stdout, or to --output with the text report on stdout
    (stderr instead when stdout carries a text fixed from stdin)."""
    from k8slint.report import ReportSettings, renderer

    on_terminal = sys.stdout.isatty()
    use_source = on_terminal if options.show_source is None else options.show_source
    terminal = ReportSettings(
        color=on_terminal if options.color is None else options.color,
        show_source=use_source,
        sources=_read_sources(result.findings) if use_source else None,
        rules=rules,
        quiet=options.quiet,
        statistics=options.statistics,
        baseline=baseline,
    )
    if options.output is None:
        plain = options.output_format != "text"
        settings = terminal._replace(show_source=False) if plain else terminal
        click.echo(renderer(options.output_format)(result, settings), nl=False, err=to_stderr)
        return
    to_file = terminal._replace(color=False, show_source=False, sources=None)
    try:
        with open(options.output, "w", encoding="utf-8") as handle:
            handle.write(renderer(options.output_format)(result, to_file))
    except OSError as error:
        _fail([f"cannot write {options.output}: {error.strerror}"])
    click.echo(renderer("text")(result, terminal), nl=False, err=to_stderr)


def _read_sources(findings: list) -> dict[str, str]:
    """The texts of files with findings, for --show-source: regular files only
    (a named pipe was read once already and cannot be read again)."""
    from k8slint.load.loader import MAX_FILE_BYTES
    from k8slint.load.reading import read_limited

    sources: dict[str, str] = {}
    for file in {finding.file for finding in findings}:
        try:
            raw = read_limited(file, MAX_FILE_BYTES)
        except OSError:
            continue
        sources[file] = raw.decode("utf-8-sig", errors="replace")
    return sources


@cli.command(name="rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    help="markdown: the full rule reference (what docs/rules/ is generated from).",
)
def list_rules(output_format: str) -> None:
    """List every rule with its default severity and its presets (every rule is in `all`)."""
    import json

    from k8slint.engine.registry import load_rules
    from k8slint.presets import presets_of

    rules = load_rules().values()
    if output_format == "markdown":
        from k8slint.report.rule_docs import reference

        click.echo(reference(rules), nl=False)
        return
    if output_format == "json":
        rows = [
            {
                "id": r.id,
                "severity": r.severity,
                "category": r.category,
                "presets": list(presets_of(r)),
                "summary": r.summary,
                "fixes": sorted(r.fixes),
            }
            for r in rules
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(rule.id) for rule in rules)
    shown = {rule.id: ",".join(p for p in presets_of(rule) if p != "all") for rule in rules}
    preset_width = max(len(text) for text in shown.values())
    for rule in rules:
        click.echo(
            f"{rule.id:<{width}}  {rule.severity:<7}  {shown[rule.id]:<{preset_width}}  "
            f"{rule.summary}"
        )


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain a rule: what it does, why, a bad example and the fixed one."""
    import textwrap

    from k8slint.engine.registry import load_rules
    from k8slint.report.rule_docs import rule_sections

    rules = load_rules()
    rule = rules.get(rule_id)
    if rule is None:
        close = fnmatch.filter(rules, f"*{rule_id}*")
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise click.UsageError(f"unknown rule {rule_id!r}.{hint}")
    click.echo(f"{rule.id} ({rule.severity})\n")
    for section in rule_sections(rule):
        click.echo(f"{section.title}:")
        click.echo(textwrap.indent(section.body.rstrip("\n"), "    "))
        click.echo()


@cli.command(name="config-schema")
def config_schema() -> None:
    """Print the JSON Schema of .k8slint.yaml (for editors: yaml-language-server, IDEs)."""
    from k8slint.config.file import SCHEMA_PATH

    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        click.echo(handle.read(), nl=False)
