"""Project configuration: `.k8slint.yaml` (or `[tool.k8slint]` in pyproject.toml).

Found upward from the linted paths, or named with `--config`. It is validated
against the JSON Schema shipped beside this module (`k8slint config-schema`
prints it for editors), and then against the rules that exist. A broken
config stops the run with every mistake named by file, line and key: a
setting silently ignored is worse than no setting.

Paths inside a config (extends, exclude, context, overrides' files) are
relative to the file that names them, so a config means the same thing from
any working directory and through `extends`.

A config decides what a run reports, so where it comes from is guarded:
discovery stops at the repository root and at the user's home (a config above
them belongs to someone else), `extends` names only k8slint presets or files
named like a config (so `extends: /etc/shadow` can neither read a file nor
echo its lines in an error), and config files are read only if they are
regular files under a size limit.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from k8slint.engine.registry import Rule
from k8slint.model import JsonPath, format_path
from k8slint.presets import expand as expand_presets
from k8slint.presets import load_presets

CONFIG_FILE_NAMES = (".k8slint.yaml", ".k8slint.yml")
EXTENDS_SUFFIXES = ("k8slint.yaml", "k8slint.yml")
"""`extends:` takes files named `k8slint.yaml`, `.k8slint.yaml`, `base.k8slint.yaml` (or .yml)."""
MAX_CONFIG_BYTES = 1024 * 1024
REPOSITORY_MARKER = ".git"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = "tool.k8slint"
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema.json")
ALL_RULES = "all"


class ConfigError(Exception):
    """The configuration is unusable; `messages` are `file:line:col: what` lines."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def match_rule_patterns(pattern: str, known: Iterable[str]) -> list[str]:
    """Rule ids matching an id or glob (`pod-*`); `all` is every rule."""
    ids = list(known)
    return ids if pattern == ALL_RULES else fnmatch.filter(ids, pattern)


@functools.cache
def schema() -> dict[str, Any]:
    import json  # only a run with a config file validates it

    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


class Glob(NamedTuple):
    """A file pattern relative to the directory of the config that wrote it.

    `*` also matches `/`; a pattern without `/` matches any path component
    (`generated`, `*.secret.yaml`) unless it starts with `/` (`/deploy`: only at
    the top); a pattern that matches a directory covers everything under it;
    `**/` at the start matches at any depth. Like .gitignore, as users expect.
    """

    base: str
    pattern: str

    def matches(self, file: str) -> bool:
        relative = os.path.relpath(os.path.abspath(file), self.base).replace(os.sep, "/")
        if relative.startswith("../"):
            return False
        parts = relative.split("/")
        anchored = self.pattern.startswith(("/", "./"))
        pattern = self.pattern.removeprefix("./").strip("/")
        if "/" not in pattern and not anchored:
            return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
        if pattern.startswith("**/"):
            pattern = pattern[3:]
            starts = range(len(parts))
        else:
            starts = range(1)
        return any(
            fnmatch.fnmatchcase("/".join(parts[start:end]), pattern)
            for start in starts
            for end in range(start + 1, len(parts) + 1)
        )


class Switches(NamedTuple):
    """One layer of rule settings: `disable` applies before `enable`, so
    `disable: [all]` with `enable: [pod-*]` runs the pod rules only."""

    disable: tuple[str, ...]
    enable: tuple[str, ...]
    severity: Mapping[str, str]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Switches:
        return cls(
            tuple(data.get("disable", ())),
            tuple(data.get("enable", ())),
            dict(data.get("severity", {})),
        )

    def apply(self, enabled: set[str], known: list[str]) -> set[str]:
        for pattern in self.disable:
            enabled = enabled - set(match_rule_patterns(pattern, known))
        for pattern in self.enable:
            enabled = enabled | set(match_rule_patterns(pattern, known))
        return enabled


class Override(NamedTuple):
    files: tuple[Glob, ...]
    switches: Switches

    def covers(self, file: str) -> bool:
        return any(glob.matches(file) for glob in self.files)


@dataclass(slots=True)
class Config:
    """Every layer of a config and its `extends`, merged (later layers win)."""

    sources: list[str] = field(default_factory=list)
    kubernetes_version: str | None = None
    strict: bool | None = None
    exclude: list[Glob] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    switches: list[Switches] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    workload_kinds: dict[tuple[str, str], JsonPath] = field(default_factory=dict)
    kustomize_command: str | None = None
    """What builds a Kustomize directory (`none`: lint overlays raw); None: found on PATH."""
    kustomize_timeout: float | None = None
    """Seconds a Kustomize build may take; None: the default."""
    """Custom kinds with a pod template: (API group, kind) -> the template's path."""
    overrides: list[Override] = field(default_factory=list)
    presets: list[str] = field(default_factory=list)
    """Presets named in `extends` (or given with `--preset`); none means the default."""
    cache: bool | None = None
    """`cache: false` turns the on-disk cache off (as --no-cache)."""
    cache_dir: str | None = None
    """Where the cache is kept, relative to the config that names it."""

    def is_excluded(self, file: str) -> bool:
        return any(glob.matches(file) for glob in self.exclude)

    def severities(self) -> dict[str, str]:
        """Severity per rule id for every file (overrides aside)."""
        severity = expand_presets(self.presets)[1]
        for layer in self.switches:
            severity.update(layer.severity)
        return severity

    def configure_rules(self, rules: Mapping[str, Rule]) -> dict[str, Rule]:
        """The rules with their configured params merged in. Severities are not set
        here: the engine decides each finding's severity, per file, from `RulePolicy`.
        A rule without configured params is the shipped one (no copy per run)."""
        return {
            rule_id: rule._replace(params={**rule.params, **self.params[rule_id]})
            if rule_id in self.params
            else rule
            for rule_id, rule in rules.items()
        }

    def add_layer(self, document: _Document) -> None:
        """Merge one validated file; called base first, so later layers win."""
        data, base = document.data, os.path.dirname(document.path)
        self.sources.append(document.path)
        self.presets += [name for name in _extends(document.data) if is_preset_reference(name)]
        self.kubernetes_version = data.get("kubernetes-version", self.kubernetes_version)
        self.strict = data.get("strict", self.strict)
        self.kustomize_command = data.get("kustomize-command", self.kustomize_command)
        self.kustomize_timeout = data.get("kustomize-timeout", self.kustomize_timeout)
        self.cache = data.get("cache", self.cache)
        if "cache-dir" in data:
            self.cache_dir = os.path.join(base, data["cache-dir"])
        self.exclude += [Glob(base, pattern) for pattern in data.get("exclude", ())]
        self.context += [_shown(os.path.join(base, path)) for path in data.get("context", ())]
        rules = data.get("rules", {})
        self.switches.append(Switches.from_data(rules))
        for rule_id, params in rules.get("params", {}).items():
            self.params.setdefault(rule_id, {}).update(params)
        for kind in data.get("workload-kinds", ()):
            self.workload_kinds[(kind["group"], kind["kind"])] = tuple(kind["template"].split("."))
        for override in data.get("overrides", ()):
            globs = tuple(Glob(base, pattern) for pattern in override["files"])
            self.overrides.append(Override(globs, Switches.from_data(override["rules"])))


def _unrestricted(enabled: set[str]) -> set[str]:
    return enabled


class RulePolicy:
    """Which rules apply to which file, at which severity.

    The config's layers, then its per-path overrides, then the command line's
    `--select`/`--ignore` (`restrict`), which have the last word. A plain class:
    it is never compared or shown, all a dataclass would add (at a millisecond
    of every start) is an `__init__`.
    """

    __slots__ = ("_by_overrides", "_cache", "_everywhere", "config", "known", "restrict")

    def __init__(
        self,
        config: Config,
        known: list[str],
        restrict: Callable[[set[str]], set[str]] = _unrestricted,
    ) -> None:
        self.config = config
        self.known = known
        self.restrict = restrict
        self._cache: dict[str, tuple[set[str], dict[str, str]]] = {}
        self._by_overrides: dict[tuple[int, ...], tuple[set[str], dict[str, str]]] = {}
        """The answer for each set of overrides that covers a file: files under the
        same settings get the same objects (the engine keeps one list of checks
        for each)."""
        self._everywhere: tuple[set[str], dict[str, str]] | None = None

    def _before_overrides(self) -> tuple[set[str], dict[str, str]]:
        """The rules and severities of the config's layers, the same for every file:
        worked out once (expanding the presets is most of a file's policy)."""
        if self._everywhere is None:
            enabled = expand_presets(self.config.presets)[0] & set(self.known)
            for layer in self.config.switches:
                enabled = layer.apply(enabled, self.known)
            self._everywhere = (enabled, self.config.severities())
        return self._everywhere

    def rules_to_run(self) -> set[str]:
        """Every rule enabled for some file: the engine loads these and asks
        `for_file` which of them apply to each file."""
        enabled = set(self._before_overrides()[0])
        for override in self.config.overrides:
            enabled |= override.switches.apply(enabled, self.known)
        return self.restrict(enabled)

    def for_file(self, file: str) -> tuple[set[str], dict[str, str]]:
        """The rules enabled for `file` and the severities configured for them there
        (the same objects for every file under the same settings: never to be
        changed by the caller)."""
        if file not in self._cache:
            overrides = self.config.overrides
            covering = tuple(n for n, override in enumerate(overrides) if override.covers(file))
            if covering not in self._by_overrides:
                enabled, severity = self._before_overrides()
                enabled, severity = set(enabled), dict(severity)
                for number in covering:
                    enabled = overrides[number].switches.apply(enabled, self.known)
                    severity.update(overrides[number].switches.severity)
                self._by_overrides[covering] = (self.restrict(enabled), severity)
            self._cache[file] = self._by_overrides[covering]
        return self._cache[file]


# --- reading and checking config files -------------------------------------------


class _Document(NamedTuple):
    path: str
    data: dict[str, Any]
    locate: Callable[[JsonPath], tuple[int, int]]

    def error(self, path: JsonPath, message: str) -> str:
        line, column = self.locate(path)
        return f"{_shown(self.path)}:{line}:{column}: {message}"


def _shown(path: str) -> str:
    """A path relative to the working directory when it is under it, absolute otherwise."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _toml_module() -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return None
    return tomllib


def _pyproject_table(path: str) -> dict[str, Any] | None:
    """The `[tool.k8slint]` table, or None when there is none (or no TOML parser)."""
    text = _read_config_text(path)
    toml = _toml_module()
    if f"[{PYPROJECT_TABLE}" not in text or toml is None:
        return None
    try:
        table = toml.loads(text).get("tool", {}).get("k8slint")
    except toml.TOMLDecodeError as error:
        raise ConfigError([f"{_shown(path)}: invalid TOML: {error}"]) from None
    return table if isinstance(table, dict) else None


def find_config(paths: Iterable[str]) -> str | None:
    """The nearest config above the common directory of the linted paths (or the cwd)."""
    directories = []
    for given in paths:
        if given == "-" or not os.path.exists(given):
            directories.append(os.getcwd())
        else:
            absolute = os.path.abspath(given)
            directories.append(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
    directory = os.path.commonpath(directories) if directories else os.getcwd()
    while True:
        for name in CONFIG_FILE_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, PYPROJECT)
        if os.path.isfile(pyproject) and _pyproject_table(pyproject) is not None:
            return pyproject
        parent = os.path.dirname(directory)
        if parent == directory or _discovery_stops_at(directory):
            return None
        directory = parent


def _discovery_stops_at(directory: str) -> bool:
    """The repository root (`.git`, a directory or a worktree's file) or the
    user's home: a config above either is not the project's."""
    home = os.path.expanduser("~")
    return os.path.lexists(os.path.join(directory, REPOSITORY_MARKER)) or (
        home != "~" and os.path.abspath(home) == directory
    )


def _read_config_text(path: str) -> str:
    """A config file's text: a regular file, not over `MAX_CONFIG_BYTES`
    (or /dev/null, the usual way to say "no config": `--config /dev/null`)."""
    from k8slint.load.reading import TooLarge, read_limited

    if os.path.realpath(path) == os.devnull:
        return ""
    try:
        return read_limited(path, MAX_CONFIG_BYTES).decode("utf-8-sig")
    except TooLarge:
        limit = MAX_CONFIG_BYTES // 2**20
        message = f"{_shown(path)}: cannot read config: over the {limit} MiB limit"
        raise ConfigError([message]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError([f"{_shown(path)}: cannot read config: {reason}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{_shown(path)}: cannot read config: not UTF-8 text"]) from None


def _read(path: str) -> _Document:
    from k8slint.load.loader import YAMLError, parse_yaml_located

    path = os.path.abspath(path)
    if os.path.basename(path) == PYPROJECT:
        if _toml_module() is None:
            needs = "reading pyproject.toml needs Python 3.11+ or tomli"
            raise ConfigError([f"{_shown(path)}: {needs}"])
        table = _pyproject_table(path)
        if table is None:
            raise ConfigError([f"{_shown(path)}: no [{PYPROJECT_TABLE}] table"])
        return _Document(path, table, _toml_locator(_read_config_text(path)))
    text = _read_config_text(path)
    try:
        data, locate = parse_yaml_located(text)
    except (YAMLError, ValueError) as error:
        node = getattr(error, "node", None)  # an alias bomb or a recursive alias
        mark = getattr(error, "problem_mark", None) or getattr(node, "start_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([f"{_shown(path)}{where}: invalid YAML: {problem}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{_shown(path)}:1:1: a k8slint config must be a mapping"])
    return _Document(path, data, locate)


def _toml_locator(text: str) -> Callable[[JsonPath], tuple[int, int]]:
    """Best-effort positions in pyproject.toml (tomllib keeps none): the line of each
    key of the path in turn, searched from the `[tool.k8slint` header on."""
    lines = text.splitlines()

    def locate(path: JsonPath) -> tuple[int, int]:
        found = next((i for i, line in enumerate(lines) if f"[{PYPROJECT_TABLE}" in line), 0)
        for step in path:
            if not isinstance(step, str):
                continue
            key = re.compile(rf"""^\s*(\[+[^\]]*\.)?["']?{re.escape(step)}["']?\s*(=|\.|\]|$)""")
            match = next((i for i in range(found, len(lines)) if key.match(lines[i])), None)
            if match is None:
                break
            found = match
        line = lines[found] if found < len(lines) else ""
        return found + 1, len(line) - len(line.lstrip()) + 1

    return locate


def _referenced(node: Any) -> Any:
    """The part of the config schema a node stands for: its `$ref` followed (a
    pointer into the schema, `#/definitions/globs`; draft 7 ignores the siblings
    of a `$ref`)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = functools.reduce(
            lambda at, step: at[step], node["$ref"].removeprefix("#/").split("/"), schema()
        )
    return node


def _schema_errors(document: _Document) -> list[tuple[JsonPath, str]]:
    from k8slint.kube.fastcheck import compile_schema  # only a run with a config file

    if compile_schema(schema(), _referenced)(document.data):
        # Valid, decided without importing jsonschema: that import was a third of
        # the CPU of a cached re-lint with a config file. Only a config it does not
        # pass (`fastcheck` is sure of "valid" only) is validated again to explain.
        return []
    from jsonschema import Draft7Validator

    errors: list[tuple[JsonPath, str]] = []
    for error in Draft7Validator(schema()).iter_errors(document.data):
        path: JsonPath = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    errors.append(((*path, key), f"unknown key {key!r}{_suggest(key, allowed)}"))
            continue
        if "propertyNames" in error.schema_path:
            path = (*path, error.instance)
        message = f"{format_path(path) or 'config'}: {error.message}"
        if error.validator == "oneOf" and path[:1] == ("extends",):
            message = "extends: must be a preset name or a path, or a list of them"
        if path == ("kubernetes-version",) and not isinstance(error.instance, str):
            message += ' (quote it, e.g. "1.30": YAML reads 1.30 as the number 1.3)'
        errors.append((path, message))
    return errors


def _suggest(name: str, choices: Iterable[str]) -> str:
    import difflib  # only for a mistake in the config

    close = difflib.get_close_matches(name, list(choices), n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    listed = ", ".join(choices)
    return f" (expected one of: {listed})" if listed and len(listed) < 200 else ""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _rule_errors(document: _Document, rules: Mapping[str, Rule]) -> list[tuple[JsonPath, str]]:
    """Rule ids, option names and option types that do not exist: typos must not pass.

    Runs beside the schema check, so it skips (rather than trusts) wrong shapes.
    """
    errors: list[tuple[JsonPath, str]] = []

    def unknown(rule_id: str) -> str:
        what = "no rule matches" if set(rule_id) & set("*?[") else "unknown rule id"
        return f"{what} {rule_id!r}{_suggest(rule_id, rules)} (see `k8slint rules`)"

    def check_switches(at: JsonPath, switches: Mapping[str, Any]) -> None:
        for key in ("disable", "enable"):
            for position, pattern in enumerate(_items(switches.get(key))):
                if isinstance(pattern, str) and not match_rule_patterns(pattern, rules):
                    errors.append(((*at, key, position), unknown(pattern)))
        for rule_id in _mapping(switches.get("severity")):
            if rule_id not in rules:
                errors.append(((*at, "severity", rule_id), unknown(rule_id)))

    section = _mapping(document.data.get("rules"))
    check_switches(("rules",), section)
    for rule_id, params in _mapping(section.get("params")).items():
        at: JsonPath = ("rules", "params", rule_id)
        if rule_id not in rules:
            errors.append((at, unknown(rule_id)))
            continue
        defaults = rules[rule_id].params
        for name, value in _mapping(params).items():
            if name not in defaults:
                options = f"{_suggest(name, defaults)}" if defaults else " (it has no options)"
                errors.append(((*at, name), f"rule {rule_id} has no option {name!r}{options}"))
            elif not _same_type(value, defaults[name]):
                expected = type(defaults[name]).__name__
                errors.append(((*at, name), f"option {name!r} of {rule_id} must be a {expected}"))
    for position, override in enumerate(_items(document.data.get("overrides"))):
        check_switches(("overrides", position, "rules"), _mapping(_mapping(override).get("rules")))
    return errors


def _same_type(value: Any, default: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _load_into(
    config: Config, path: str, rules: Mapping[str, Rule], chain: tuple[str, ...]
) -> None:
    document = _read(path)
    problems = _schema_errors(document) + _rule_errors(document, rules)
    extends = document.data.get("extends", [])
    parents = _extends(document.data)
    base = os.path.dirname(document.path)
    files: list[str] = []
    for position, parent in enumerate(parents):
        if not isinstance(parent, str):
            continue  # the schema check reported it
        at: JsonPath = ("extends",) if isinstance(extends, str) else ("extends", position)
        if is_preset_reference(parent):
            if parent not in load_presets():
                hint = _suggest(parent, load_presets())
                problems.append((at, f"extends {parent!r}: no such preset{hint}"))
            continue
        target, problem = extended_file(base, parent)
        if problem is None and target in (*chain, document.path):
            problem = f"extends {parent!r}, which extends this file (a cycle)"
        if problem is not None:
            problems.append((at, problem))
        else:
            files.append(target)
    if problems:
        ordered = sorted(problems, key=lambda problem: document.locate(problem[0]))
        raise ConfigError([document.error(path, message) for path, message in ordered])
    for target in files:
        _load_into(config, target, rules, (*chain, document.path))
    config.add_layer(document)


def _extends(data: Mapping[str, Any]) -> list[Any]:
    extends = data.get("extends", [])
    return [extends] if isinstance(extends, str) else _items(extends)


def is_preset_reference(entry: Any) -> bool:
    """A preset name (`pod-security-restricted`) rather than a path: no directory
    part and no file extension. A config file in the same directory is
    `./base.k8slint.yaml` (see `extended_file`)."""
    return isinstance(entry, str) and "/" not in entry and "." not in entry


def extended_file(base: str, entry: str) -> tuple[str, str | None]:
    """The config file an `extends:` entry that is not a preset names, or why it
    may not be read.

    Only a relative path to a file named like a config (`EXTENDS_SUFFIXES`, or
    pyproject.toml), whatever a symlink points to: anything else is refused
    before it is opened, so a config cannot make k8slint read (and quote in an
    error) a file that is not a config.
    """
    target = os.path.abspath(os.path.join(base, entry))
    if os.path.isabs(entry):
        return target, f"extends {entry!r}: must be a path relative to this file"
    for candidate in (target, os.path.realpath(target)):
        if not _named_like_config(os.path.basename(candidate)):
            return target, (
                f"extends {entry!r}: not a k8slint config name "
                "(k8slint.yaml, .k8slint.yaml, <name>.k8slint.yaml or .yml, pyproject.toml)"
            )
    if not os.path.isfile(target):
        return target, f"extends {entry!r}: no such file"
    return target, None


def _named_like_config(name: str) -> bool:
    """`k8slint.yaml`, `.k8slint.yaml`, `base.k8slint.yaml` (or .yml), pyproject.toml."""
    if name == PYPROJECT:
        return True
    return any(
        name in (suffix, f".{suffix}") or name.endswith(f".{suffix}") for suffix in EXTENDS_SUFFIXES
    )


def load_config(path: str, rules: Mapping[str, Rule]) -> Config:
    """Read, validate and merge a config with everything it extends (bases first)."""
    config = Config()
    _load_into(config, path, rules, ())
    return config
