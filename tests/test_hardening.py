"""Hostile input never crashes, hangs or starves a run (issue 10, one test per item).

Each test rebuilds a reproducer of the issue and checks what the user gets: a
clear finding or notice, or exit 2 with one line; never a traceback, and never
the loss of another file's findings.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import xml.dom.minidom
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO, lint_text

from k8slint.cli import cli
from k8slint.load import loader
from k8slint.load.discover import InputFile, discover
from k8slint.load.scalars import resolve_plain

CLEAN_FINDING = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {k: 1}\n"
"""A second file whose one finding (schema, line 4) must survive whatever the first does."""


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def run_process(*args: str, timeout: float = 120, **kwargs):
    """k8slint as a real process, through `main()` (where tracebacks would show)."""
    return subprocess.run(
        [sys.executable, "-m", "k8slint", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def lint_json(*args: str) -> tuple[int, dict]:
    result = run("lint", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}


def rules_and_lines(report: dict, file: str) -> list[tuple[str, int]]:
    return [(f["rule"], f["line"]) for f in report["findings"] if f["file"].endswith(file)]


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    path = tmp_path / "other.yaml"
    path.write_text(CLEAN_FINDING)
    return path


# --- 1. deep nesting -------------------------------------------------------------


def nested(depth: int) -> str:
    return "{a: " * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    ("depth", "deep_findings", "message"),
    [
        # Ours: the document is dropped, the next one is linted.
        (500, [("yaml-syntax", 4), ("schema", 9)], "nesting deeper than 100 levels"),
        # libyaml's own limit (1000): a syntax error, as kubectl's parser gives.
        (2000, [("yaml-syntax", 4)], "exceeded maximum nesting depth"),
    ],
)
def test_deep_nesting_is_one_finding_and_the_run_goes_on(
    tmp_path, clean, depth, deep_findings, message
):
    deep = tmp_path / "deep.yaml"
    deep.write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {nested(depth)}\n"
        "---\n" + CLEAN_FINDING
    )
    code, report = lint_json(str(deep), str(clean))
    assert code == 1
    assert rules_and_lines(report, "deep.yaml") == deep_findings
    assert message in report["findings"][0]["message"]
    assert rules_and_lines(report, "other.yaml") == [("schema", 4)]
    assert report["notices"] == []


def test_nesting_at_the_limit_is_linted():
    # data (1) + MAX_DEPTH - 2 mappings + the document (1): exactly MAX_DEPTH levels.
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata: {nested(98)}\n"
    result = lint_text(text)
    assert [(f.rule, f.line) for f in result.findings] == [("schema", 4)]


def test_an_alias_counts_with_the_depth_of_what_it_repeats():
    # The anchored value is 60 deep; used again 60 levels down, the data is 120 deep.
    # (An alias is the node it repeats: the finding points at the anchored value.)
    text = f"a: &deep {nested(60)}\nb: {'{a: ' * 59}*deep{'}' * 59}\nkind: X\n"
    result = lint_text(text, ["yaml-syntax"])
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("yaml-syntax", 1, 4)]
    assert "nesting deeper than" in result.findings[0].message


# --- 3. special files --------------------------------------------------------------


def test_devices_fifos_and_symlinks_out_of_the_tree_are_skipped_with_a_notice(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(tree / "fifo.yaml")
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret: line\n")
    (tree / "out.yaml").symlink_to(outside)
    (tree / "in.yaml").symlink_to(tree / "real.yml")
    (tree / "real.yml").write_text(CLEAN_FINDING)
    result = run_process("lint", str(tree), "--format", "json", "--show-source", timeout=60)
    report = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    assert sorted(
        (Path(n["file"]).name, n["message"].split(",")[0]) for n in report["notices"]
    ) == [
        ("fifo.yaml", "a FIFO (named pipe)"),
        ("out.yaml", f"symlink to {outside}"),
        ("zero.yaml", "symlink to /dev/zero"),
    ]
    assert [Path(f["file"]).name for f in report["findings"]] == ["in.yaml"]
    assert "secret" not in result.stdout + result.stderr


def test_a_named_device_is_read_only_up_to_the_size_limit(monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1024)
    found = discover(["/dev/zero"])
    assert found.files == []
    assert found.errors == ["/dev/zero: over the 0 MiB limit; not linted"]


def test_a_named_pipe_is_read(tmp_path):
    """`k8slint lint <(helm template .)` names a pipe: it is linted like stdin."""
    read, write = os.pipe()
    os.write(write, CLEAN_FINDING.encode())
    os.close(write)
    try:
        found = discover([f"/dev/fd/{read}"])
    finally:
        os.close(read)
    assert found.files == [InputFile(f"/dev/fd/{read}", data=CLEAN_FINDING.encode())]


@pytest.mark.parametrize("option", ["--config", "--baseline"])
def test_config_or_baseline_naming_a_fifo_or_device_is_exit_2(tmp_path, clean, option):
    fifo = tmp_path / "named.k8slint.yaml"
    os.mkfifo(fifo)
    for target in (str(fifo), "/dev/zero"):
        result = run_process("lint", str(clean), option, target, timeout=60)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1, result.stderr
        assert "not a file" in result.stderr


# --- 4. memory: size limits ---------------------------------------------------------


def test_stdin_over_the_size_limit_is_exit_2_with_one_line(monkeypatch, clean):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    result = run("lint", "-", str(clean), stdin="x" * 101)
    assert result.exit_code == 2
    assert "<stdin>: over the 0 MiB limit; not linted" in result.stderr
    assert "other.yaml:4:" in result.stdout


def test_a_file_over_the_size_limit_is_a_finding(monkeypatch, tmp_path):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 10)
    big = tmp_path / "big.yaml"
    big.write_text(CLEAN_FINDING)
    loaded = loader.load_file(str(big))
    assert [(i.rule, i.message) for i in loaded.issues] == [
        ("yaml-syntax", "file is over the 0 MiB limit; not linted")
    ]


def test_documents_past_the_limit_are_reported_and_not_linted(monkeypatch):
    monkeypatch.setattr(loader, "MAX_DOCUMENTS", 2)
    loaded = loader.load_text("---\n".join([CLEAN_FINDING] * 3), "many.yaml")
    assert loaded.documents == 2 and len(loaded.resources) == 2
    assert [(i.rule, i.line) for i in loaded.issues] == [("yaml-syntax", 11)]
    assert "more than 2 documents" in loaded.issues[0].message


# --- 5. long integers ---------------------------------------------------------------


def test_an_integer_of_thousands_of_digits_drops_nothing_else():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n"
        f"  replicas: {'9' * 4400}\n---\n{CLEAN_FINDING}"
    )
    result = lint_text(text, ["schema", "yaml-syntax"])
    assert [(f.rule, f.line, f.path) for f in result.findings if f.line in (5, 10)] == [
        ("schema", 5, ("spec", "replicas")),
        ("schema", 10, ("data", "k")),
    ]
    assert result.findings[2].message.endswith(
        "; a number this long is past float64, so Kubernetes' decoder reads a string"
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9223372036854775807", 2**63 - 1),
        ("18446744073709551615", 2**64 - 1),  # go-yaml's uint64
        ("-9223372036854775809", -9.223372036854775809e18),  # past int64: a float
        ("1" + "0" * 74, 1e74),
        ("9" * 400, "9" * 400),  # past float64: go-yaml keeps the text
        ("0x" + "f" * 17, "0x" + "f" * 17),  # not written like a float: the text
    ],
)
def test_long_integers_are_typed_as_go_yaml_types_them(text, value):
    resolved = resolve_plain(text)
    assert resolved == value and type(resolved) is type(value)


# --- 6. config security ---------------------------------------------------------------


def test_extends_refuses_files_not_named_like_a_config_and_never_quotes_them(tmp_path, clean):
    secret = tmp_path / "shadow"
    secret.write_text("root: $6$hash\n")
    config = tmp_path / "c.k8slint.yaml"
    for entry in ("shadow", str(secret), "../" * 20 + str(secret)[1:]):
        config.write_text(f"extends: {json.dumps(entry)}\n")
        result = run("lint", str(clean), "--config", str(config))
        assert result.exit_code == 2
        assert "$6$hash" not in result.output + result.stderr
        assert "extends" in result.stderr
    link = tmp_path / "evil.k8slint.yaml"
    link.symlink_to(secret)
    config.write_text("extends: evil.k8slint.yaml\n")
    result = run("lint", str(clean), "--config", str(config))
    assert result.exit_code == 2 and "not a k8slint config name" in result.stderr
    assert "$6$hash" not in result.output + result.stderr


def test_config_discovery_stops_at_the_repository_root(tmp_path):
    (tmp_path / ".k8slint.yaml").write_text("rules:\n  disable: [all]\n")
    repository = tmp_path / "work" / "repo"
    (repository / ".git").mkdir(parents=True)
    manifest = repository / "deploy" / "cm.yaml"
    manifest.parent.mkdir()
    manifest.write_text(CLEAN_FINDING)
    result = run("lint", str(manifest), "--verbose")
    assert result.exit_code == 1
    assert "k8slint: config: none" in result.stderr
    (repository / ".k8slint.yaml").write_text("rules:\n  disable: [schema]\n")
    result = run("lint", str(manifest), "--verbose")
    assert result.exit_code == 0
    assert f"k8slint: config: {repository / '.k8slint.yaml'}" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]\n",
        "m: &m {<<: *m}\n",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{b}: &{b} [*{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}]\n"
            for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ],
)
def test_a_config_with_a_recursive_alias_or_alias_bomb_is_exit_2_with_one_line(tmp_path, text):
    config = tmp_path / ".k8slint.yaml"
    config.write_text(text)
    result = run_process("lint", "--config", str(config), str(REPO / "examples"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "invalid YAML" in result.stderr, result.stderr


# --- 7. output injection -----------------------------------------------------------

C0 = "".join(chr(code) for code in range(32))


@pytest.fixture
def control_key(tmp_path: Path) -> Path:
    """A ConfigMap whose data key is every C0 control character (one schema finding)."""
    escaped = "".join(f"\\x{code:02x}" for code in range(32))
    path = tmp_path / "inject.yaml"
    path.write_text(
        f'apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata: {{"{escaped}": 1}}\n'
    )
    return path


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "github"])
def test_every_format_escapes_every_control_character(control_key, output_format):
    result = run("lint", str(control_key), "--format", output_format, "-q", "--select", "schema")
    assert result.exit_code == 1
    out = result.stdout
    assert not set(out) & (set(C0) - {"\n"}), repr(out)
    if output_format == "json":  # the data as it is: JSON escapes it
        assert "\\u0000\\u0001\\u0002" in out
    elif output_format == "sarif":  # messages people read, escaped as in text
        assert "\\\\x00\\\\x01\\\\x02" in out
    elif output_format == "junit":
        xml.dom.minidom.parseString(out)  # valid XML 1.0
        assert "\\x01\\x02" in out
    else:
        assert out.count("\n") == 1  # one finding, one line: no line of the key's making
        newline = "%0A" if output_format == "github" else "\\n"  # the runner's own escape
        assert "\\x00\\x01\\x02" in out and f"{newline}\\x0b" in out


def test_a_newline_in_a_key_cannot_start_a_workflow_command(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
        'data: {"bogus\\n::warning file=x::INJECTED": 1}\n'
    )
    for output_format in ("text", "github"):
        report = run("lint", str(path), "--format", output_format, "-q", "--select", "schema")
        lines = report.stdout.splitlines()
        assert len(lines) == 1 and not lines[0].startswith("::warning"), lines


# --- 8. one-line errors, never a traceback ------------------------------------------


@pytest.mark.parametrize("target", ["missing-dir/b.json", "/dev/full"])
def test_write_baseline_that_cannot_be_written_is_exit_2_with_one_line(tmp_path, clean, target):
    destination = target if target.startswith("/") else str(tmp_path / target)
    result = run_process("lint", str(clean), "--write-baseline", destination)
    assert result.returncode == 2
    assert result.stderr.startswith("k8slint: error: cannot write") and "Traceback" not in (
        result.stderr
    )


def test_report_to_a_full_disk_is_exit_2_with_one_line(clean):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "k8slint", "lint", str(clean)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr == "k8slint: error: cannot write the report: No space left on device\n"


@pytest.mark.parametrize(
    "content",
    [
        '{"k8slint-baseline": 2, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"k8slint-baseline": 2, "findings": [{"rule": "a", "file": "b", "object": "",'
        ' "path": "", "message": "m", "count": 1e400}]}',
    ],
)
def test_a_hostile_baseline_is_exit_2_with_one_line(tmp_path, clean, content):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    result = run_process("lint", str(clean), "--baseline", str(baseline))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "baseline" in result.stderr, result.stderr


def test_sigterm_ends_a_parallel_run_without_tracebacks(tmp_path):
    for number in range(400):
        (tmp_path / f"m{number}.yaml").write_text(CLEAN_FINDING.replace("other", f"o{number}"))
    process = subprocess.Popen(
        [sys.executable, "-m", "k8slint", "lint", str(tmp_path), "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        process.wait(timeout=1.5)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=60)
    assert "Traceback" not in errors and "Error" not in errors, errors


# --- 9. silent or misleading paths ----------------------------------------------------


def test_an_unreadable_directory_in_a_tree_is_an_error(tmp_path, clean, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.yaml").write_text(CLEAN_FINDING)
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([str(tmp_path)])
    assert [Path(item.display).name for item in found.files] == ["other.yaml"]
    assert found.errors == [f"{locked}: permission denied; not linted"]


def test_an_unreadable_file_is_exit_2_and_the_rest_is_linted(tmp_path, clean, monkeypatch):
    secret = tmp_path / "secret.yaml"
    secret.write_text(CLEAN_FINDING)
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path).name != "secret.yaml")
    result = run("lint", str(tmp_path))
    assert result.exit_code == 2
    assert f"k8slint: error: {secret}: permission denied; not linted" in result.stderr
    assert "other.yaml:4:" in result.stdout


def test_a_named_symlink_loop_says_so(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    result = run("lint", str(loop))
    assert result.exit_code == 2
    assert result.stderr == f"k8slint: error: {loop}: too many levels of symbolic links\n"


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_output_never_overwrites_a_linted_file(clean, option):
    result = run("lint", str(clean.parent), option, str(clean))
    assert result.exit_code == 2
    assert "is one of the linted files; refusing to overwrite it" in result.stderr
    assert clean.read_text() == CLEAN_FINDING


# --- 10. odd values -------------------------------------------------------------------


@pytest.mark.parametrize("merge", ["5", "[1, 's', null]", "[[a]]", "null"])
def test_a_merge_key_of_anything_but_mappings_is_a_syntax_finding(merge):
    result = lint_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata:\n  <<: {merge}\n"
    )
    assert [(f.rule, f.line) for f in result.findings] == [("yaml-syntax", 5)]
    assert "a merge key (<<) takes a mapping" in result.findings[0].message


@pytest.mark.parametrize("value", [",", "", " , "])
def test_select_or_ignore_without_a_rule_id_is_a_usage_error(clean, value):
    for option in ("--select", "--ignore"):
        result = run("lint", str(clean), option, value)
        assert result.exit_code == 2
        assert f"{option}: no rule id given" in result.output


def test_broken_utf16_is_called_broken_utf16():
    loaded = loader.load_bytes(b"\xff\xfe\x00\xd8a\x00", "u.yaml")
    assert [i.message for i in loaded.issues] == [
        "starts with a UTF-16 byte order mark but is not valid UTF-16 "
        "(illegal UTF-16 surrogate at offset 2)"
    ]


def test_integers_out_of_int32_or_int64_range_are_schema_findings():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: r}\nspec:\n"
        f"  replicas: 1{'0' * 74}\n  revisionHistoryLimit: -{'9' * 30}\n"
        "  minReadySeconds: 2147483648\n  progressDeadlineSeconds: 2147483647\n"
        "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
        "    spec:\n      containers: [{name: a, image: a:1}]\n"
    )
    result = lint_text(text, ["schema"])
    assert [(f.line, f.message) for f in result.findings] == [
        (5, "spec.replicas: 1e+74 is above the maximum 2147483647"),
        (6, "spec.revisionHistoryLimit: -1e+30 is below the minimum -2147483648"),
        (7, "spec.minReadySeconds: 2147483648 is above the maximum 2147483647"),
    ]
