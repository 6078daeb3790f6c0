"""Property tests: no input makes a run fail, or changes what another file gets.

Two generators: YAML texts built from hostile pieces (nesting, tags, anchors,
aliases, merge keys, odd scalars, control characters), and the fixtures'
Kubernetes objects with fields swapped for values of other types and shapes
(the seeded cases in test_robustness, searched by hypothesis instead). Each
example is linted with every rule beside a clean file in another directory;
the run must end with no internal error, every report format must render
(JUnit as valid XML), and the clean file's findings must be exactly those it
gets alone. The default profile is bounded; `--hypothesis-profile=long` runs
until stopped (README: Development).
"""

from __future__ import annotations

import copy
import functools
import xml.dom.minidom

import yaml
from hypothesis import given
from hypothesis import strategies as st
from support import engine_for
from test_robustness import OBJECTS, WRONG_TYPES, _paths

from k8slint.engine.run import LintResult
from k8slint.load.discover import InputFile
from k8slint.report import FORMATS, ReportSettings, renderer

CLEAN = InputFile(
    "clean/pods.yaml",
    data=(
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: clean, namespace: fuzz-clean}\n"
        b"spec:\n  containers:\n    - name: web\n      image: nginx:latest\n"
        b"      nodeSelector: {disk: ssd}\n"
        b"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: fuzz-clean}\n"
        b"data: {k: 1}\n"
    ),
)


def _clean_findings(result: LintResult) -> list[tuple[int, int, str, str]]:
    return [
        (f.line, f.column, f.rule, f.message) for f in result.findings if f.file == CLEAN.display
    ]


@functools.cache
def _alone() -> list[tuple[int, int, str, str]]:
    return _clean_findings(engine_for(jobs=1).lint([CLEAN]))


def _check(data: bytes) -> None:
    result = engine_for(jobs=1).lint([InputFile("fuzz/input.yaml", data=data), CLEAN])
    assert result.internal_errors == []
    assert _clean_findings(result) == _alone()
    for name in FORMATS:
        report = renderer(name)(result, ReportSettings(show_source=True, sources={}))
        if name == "junit":
            xml.dom.minidom.parseString(report)


# --- YAML texts from hostile pieces --------------------------------------------------

ODD_SCALARS = [
    "yes", "No", "on", "~", "null", "0755", "0o17", "0x1F", "0b101", "1e74", "-.inf", ".NaN",
    "9" * 30, "-" + "9" * 25, "9" * 5000, "1_000", "2001-12-14", "=", "<<", "{{ x }}", "${X}",
    "'quoted'", '"\\x01\\n::warning::x"', '"\\u202e\\ud800"', "!!str 3", "!!int x", "!!float 1",
    "!!binary AAAA", "!!bool maybe", "!!null ''", "!custom v", "!!set {a}", "? complex",
    "''", '""', "-", "a: b", "|", ">", "#", "@", "`",
]  # fmt: skip
KEYS = ["a", "name", "metadata", "spec", "containers", "<<", "1", "yes", "null", '"\\x1b[2J"']


@st.composite
def flow_value(draw: st.DrawFn, depth: int = 0, anchors: list[str] | None = None) -> str:
    """A flow-style YAML value: scalars, nested collections, anchors, aliases, merges."""
    anchors = [] if anchors is None else anchors
    choice = draw(st.integers(0, 9 if depth < 20 else 2))
    if choice <= 1:
        return draw(st.sampled_from(ODD_SCALARS))
    if choice == 9:  # deep at once, around the loader's nesting limit
        levels = draw(st.integers(1, 150))
        return "[" * levels + draw(st.sampled_from(ODD_SCALARS)) + "]" * levels
    if choice == 2 and anchors:
        return f"*{draw(st.sampled_from(anchors))}"
    prefix = ""
    if draw(st.booleans()):
        name = f"a{len(anchors)}"
        prefix = f"&{name} "
        anchors.append(name)
    if choice <= 5:  # a chain: deep nesting is cheap to draw this way
        inner = draw(flow_value(depth + 1, anchors))
        return prefix + (f"[{inner}]" if choice == 3 else f"{{a: {inner}}}")
    width = draw(st.integers(0, 4))
    if choice <= 6:
        items = [draw(flow_value(depth + 1, anchors)) for _ in range(width)]
        return prefix + "[" + ", ".join(items) + "]"
    entries = []
    for _ in range(width):
        key = draw(st.sampled_from(KEYS))
        entries.append(f"{key}: {draw(flow_value(depth + 1, anchors))}")
    return prefix + "{" + ", ".join(entries) + "}"


KINDS = ["ConfigMap", "Deployment", "Pod", "List", "ConfigMapList", "Service", "CronJob"]
FIELDS = ["data", "spec", "metadata", "items", "spec.template", "<<"]


@st.composite
def yaml_text(draw: st.DrawFn) -> bytes:
    documents = []
    for _ in range(draw(st.integers(1, 3))):
        anchors: list[str] = []
        kind = draw(st.sampled_from(KINDS))
        api = "apps/v1" if kind == "Deployment" else "batch/v1" if kind == "CronJob" else "v1"
        body = draw(flow_value(0, anchors))
        field = draw(st.sampled_from(FIELDS))
        if "." in field:
            outer, inner = field.split(".")
            line = f"{outer}: {{{inner}: {body}}}"
        else:
            line = f"{field}: {body}"
        documents.append(f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: f}}\n{line}\n")
    text = "---\n".join(documents)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
    return text.encode(encoding, errors="surrogatepass")


@given(yaml_text())
def test_hostile_yaml_never_breaks_a_run(data):
    _check(data)


# --- Kubernetes-shaped objects with mutated fields ---------------------------------

ODD_VALUES = st.one_of(
    st.sampled_from(WRONG_TYPES),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20),
    st.recursive(
        st.none() | st.booleans() | st.text(max_size=3),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=10,
    ),
)


@st.composite
def mutated_object(draw: st.DrawFn) -> bytes:
    data = copy.deepcopy(draw(st.sampled_from(OBJECTS)))
    paths = list(_paths(data))[1:]
    for _ in range(draw(st.integers(1, 4))):
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = draw(ODD_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an ancestor was replaced already
    return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", errors="surrogatepass")


@given(mutated_object())
def test_mutated_objects_never_break_a_run(data):
    _check(data)
