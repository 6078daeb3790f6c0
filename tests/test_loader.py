"""The loader: positions, Kubernetes' YAML 1.1 typing, and bad input that never stops a run."""

from __future__ import annotations

import codecs

import pytest

from k8slint.load.loader import MAX_EXPANDED_NODES, load_bytes, load_text
from k8slint.load.scalars import resolve_plain

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
"""


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True),
        ("On", True),
        ("n", False),
        ("off", False),
        ("~", None),
        ("null", None),
        ("0755", 0o755),
        ("0x1F", 31),
        ("1_000", 1000),
        ("08", 8.0),
        ("1e3", 1000.0),
        ("-2.5", -2.5),
        ("1:20", "1:20"),
        ("web", "web"),
        ("1.2.3", "1.2.3"),
    ],
)
def test_plain_scalars_are_typed_as_kubernetes_types_them(text, value):
    assert resolve_plain(text) == value
    assert type(resolve_plain(text)) is type(value)


PLAIN_SCALARS = [
    *("yes", "Yes", "y", "Y", "no", "N", "true", "TRUE", "false", "on", "On", "off", "OFF"),
    *("~", "null", "Null", "NULL", "0755", "0x1F", "-1", "+1", ".5", "-2.5", "1e3", "08"),
    *(".inf", "-.Inf", "+.INF", ".nan", ".NaN"),
    *("name", "nodeSelector", "type", "template", "f", "t", "o", "yesterday", "nullable"),
    *("offset", "~home", ".", "+x", "-web", ".hidden", "1:20", "1.2.3", "0x", "0b2", "$patch"),
]
"""Words, numbers and strings that start like them: the loader's inline test of a
plain scalar (`scalars.WORDS`, `scalars.NUMBER_STARTS`) must type each one as
`resolve_plain` does, as a value and as a key (a key is its value's text)."""


@pytest.mark.parametrize("text", PLAIN_SCALARS)
def test_the_loader_types_plain_values_and_keys_as_resolve_plain(text):
    value = resolve_plain(text)
    loaded = load_text(f"apiVersion: v1\nkind: K\nvalue: {text}\n{text}: key\n", "k.yaml")
    data = loaded.resources[0].data
    assert data["value"] == value or value != value  # NaN is never equal to itself
    assert type(data["value"]) is type(value)
    words = {"true": True, "false": False, "null": None}
    key = next((word for word, meant in words.items() if value is meant), str(value))
    assert data[key] == "key"


def test_quoted_and_tagged_scalars_stay_strings():
    loaded = load_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
        'data: {a: "yes", b: !!str 0755, c: yes}\n',
        "c.yaml",
    )
    assert loaded.resources[0].data["data"] == {"a": "yes", "b": "0755", "c": True}


def test_positions_point_at_keys_and_items():
    resource = load_text(DEPLOYMENT, "d.yaml").resources[0]
    containers = ("spec", "template", "spec", "containers")
    assert resource.pos((*containers, 0)) == (9, 11)
    assert resource.pos((*containers, 0, "image")) == (10, 11)
    # A missing path falls back to its nearest existing ancestor.
    assert resource.pos((*containers, 0, "ports", 0)) == (9, 11)
    assert resource.pos(()) == (1, 1)


def test_multi_document_file_and_typed_lists():
    text = (
        DEPLOYMENT
        + "---\napiVersion: v1\nkind: ConfigMapList\nitems:\n"
        + (
            "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n"
            "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: b}\n"
        )
    )
    loaded = load_text(text, "multi.yaml")
    assert [r.name for r in loaded.resources] == ["web", "a", "b"]
    assert loaded.resources[2].pos(("metadata", "name")) == (20, 16)


def test_error_in_second_document_keeps_the_first():
    loaded = load_text(DEPLOYMENT + "---\nkind: [\n", "broken.yaml")
    assert [r.name for r in loaded.resources] == ["web"]
    assert [(i.rule, i.line) for i in loaded.issues] == [("yaml-syntax", 12)]


def test_bom_crlf_and_utf16():
    crlf = DEPLOYMENT.replace("\n", "\r\n").encode()
    for raw in (codecs.BOM_UTF8 + crlf, DEPLOYMENT.encode("utf-16")):
        loaded = load_bytes(raw, "x.yaml")
        assert loaded.resources[0].name == "web"
        assert loaded.resources[0].pos(("spec",)) == (5, 1)


def test_json_with_tab_indentation():
    loaded = load_text(
        '{\n\t"apiVersion": "v1",\n\t"kind": "Pod",\n\t"metadata": {"name": "p"}\n}', "p.json"
    )
    assert loaded.resources[0].kind == "Pod"
    assert loaded.resources[0].pos(("metadata",)) == (4, 2)


def test_non_utf8_and_binary_input_become_findings():
    latin1 = load_bytes("a: b\nc: caf\xe9\n".encode("latin-1"), "l.yaml")
    assert [(i.rule, i.line) for i in latin1.issues] == [("yaml-syntax", 2)]
    binary = load_bytes(b"\x00\x01\x02", "b.yaml")
    assert binary.issues[0].rule == "yaml-syntax"


def test_alias_bomb_is_refused_not_expanded():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous = f"*a{level - 1}"
        levels.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    text = "apiVersion: v1\nkind: ConfigMap\n" + "\n".join(levels) + "\n"
    loaded = load_text(text, "bomb.yaml")
    assert loaded.resources == []
    assert loaded.issues[0].rule == "yaml-syntax"
    assert f"{MAX_EXPANDED_NODES:,}" in loaded.issues[0].message


def test_recursive_alias_is_reported():
    loaded = load_text("apiVersion: v1\nkind: ConfigMap\ndata: &d {self: *d}\n", "r.yaml")
    assert loaded.resources == [] and loaded.issues[0].rule == "yaml-syntax"


def test_aliases_and_merge_keys_resolve():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n"
        "data:\n  base: &b {x: '1', z: '2'}\n  derived:\n    <<: *b\n    z: '3'\n"
    )
    data = load_text(text, "m.yaml").resources[0].data["data"]
    assert data["derived"] == {"x": "1", "z": "3"}


def test_duplicate_keys_are_reported_at_the_repeat():
    loaded = load_text("apiVersion: v1\nkind: ConfigMap\nkind: Secret\n", "d.yaml")
    assert [(i.rule, i.line, i.column) for i in loaded.issues] == [("yaml-duplicate-key", 3, 1)]
    assert loaded.resources[0].kind == "Secret"


def test_non_kubernetes_yaml_is_skipped_quietly():
    loaded = load_text("on: push\njobs:\n  build: {runs-on: ubuntu-latest}\n", "ci.yml")
    assert loaded.resources == [] and loaded.issues == [] and loaded.notices == []


def test_unclosed_bracket_points_where_it_opens():
    loaded = load_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n", "u.yaml")
    assert [(i.line, i.column) for i in loaded.issues] == [(4, 6)]


def test_control_character_is_located():
    loaded = load_text("apiVersion: v1\nkind: Con\x07fig\n", "c.yaml")
    assert [(i.rule, i.line, i.column) for i in loaded.issues] == [("yaml-syntax", 2, 10)]


WALKS = [
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: '1', n: 2, b: yes}\n",
    "kind: List\nitems:\n  - {kind: Pod, spec: {containers: [{name: a}, [1, [2, ~]]]}}\n",
    "kind: X\na: {b: 1}\na: {c: 2}\n<<: {d: 3}\n",  # a duplicate key and an inline merge
    "kind: X\nv: " + "[" * 101 + "]" * 101 + "\n",  # past MAX_DEPTH
    "kind: X\nv: [" + ", ".join(["1"] * 501) + "]\n",  # past the size limit (500 here)
]


@pytest.mark.parametrize("text", WALKS, ids=["plain", "nested", "duplicates", "deep", "big"])
def test_a_text_without_anchors_builds_as_with_them(text, monkeypatch):
    """The builder's walk for a text without `&` (no node can be shared) gives the
    same objects, duplicate-key findings and limit findings as the general walk."""
    from k8slint.load import loader

    monkeypatch.setattr(loader, "MAX_EXPANDED_NODES", 500)
    fast = load_text(text, "a.yaml")
    monkeypatch.setattr(loader, "_TreeBuilder", loader._Builder)
    slow = load_text(text, "a.yaml")
    assert [r.data for r in fast.resources] == [r.data for r in slow.resources]
    assert fast.issues == slow.issues
    assert fast.issues or fast.resources


ALIASED = [
    "a: &a {b: 1}\nc: *a\n",
    "a: &x-1_Y [1]\nb: [*x-1_Y, 2]\n",
    "a: &k key\n*k : v\n",  # an alias as a key
    "a: &k key\nb: {*k : v}\n",
    "base: &b {x: 1}\nd: {<<: *b}\n",
    "a: &a 1\nb: &&a 2\nc: *a\n",  # "&" before a real anchor
    "- &a x\n- **a\n",  # a "*" before a real alias (YAML refuses it; the test errs safe)
]
NOT_ALIASED = [
    "a: b\n",
    "run: make && make install\ndoc: '**bold** and *.example.com'\n",
    "url: http://x/?a=1&b=2\nglob: '*.b'\n",
    "a: &a 1\nb: '*c'\n",
    "a: &a 1\n",  # an anchor alone reaches nothing twice
]


@pytest.mark.parametrize("text", ALIASED)
def test_a_text_that_may_alias_takes_the_alias_aware_builder(text):
    from k8slint.load.loader import may_alias

    assert may_alias(text)


@pytest.mark.parametrize("text", NOT_ALIASED)
def test_a_text_without_aliases_takes_the_tree_builder(text):
    from k8slint.load.loader import may_alias

    assert not may_alias(text)


def test_corpus_texts_without_aliases_build_as_with_them():
    """Corpus files with a "&" that `may_alias` sends to the tree builder give
    the same objects through the alias-aware one (every fourth by size, from
    a manifest of a few lines to a CRD bundle: all of them take seconds)."""
    from support import shared

    from k8slint.load import loader

    texts = [path.read_text(encoding="utf-8") for path in shared("corpus").rglob("*.yaml")]
    sent = sorted((t for t in texts if "&" in t and not loader.may_alias(t)), key=len)
    assert len(sent) > 50
    for text in sent[::4]:
        roots = loader._compose_roots(text)
        slow = [loader._Builder().build(root) for root in roots]
        assert [loader._TreeBuilder().build(root) for root in roots] == slow, text[:200]


@pytest.mark.parametrize("text", ["kind: X\na: &a {b: 1}\nc: *a\n", "kind: X\na: {b: 1}\n"])
def test_a_builder_is_freed_as_soon_as_its_document_is_built(text):
    """With the cyclic collector off (as during a run) a builder in a reference
    cycle would keep its memo of every collection it built until the run ends."""
    import gc

    from k8slint.load import loader

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        load_text(text, "a.yaml")
        assert not [o for o in gc.get_objects() if isinstance(o, loader._Builder)]
    finally:
        if was_enabled:
            gc.enable()
