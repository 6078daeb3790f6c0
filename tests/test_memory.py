"""What the cross-object phase keeps of a file (issue 11, bounded memory): not
its text, which is read again only when a finding needs a position."""

from __future__ import annotations

import pickle

from k8slint.load.discover import InputFile
from k8slint.load.loader import load_file

MANIFEST = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n"
)


def _released(path):
    loaded = load_file(str(path))
    loaded.nodes.release()
    return loaded.resources[0]


def test_a_released_file_keeps_no_text_and_still_locates(tmp_path):
    path = tmp_path / "svc.yaml"
    path.write_text(MANIFEST)
    service = _released(path)
    assert "selector" not in pickle.dumps(service.locate).decode("latin-1")
    assert service.pos(("spec", "selector", "app")) == (7, 5)


def test_where_an_object_starts_is_kept_without_reading_the_file_again(tmp_path):
    """The summary asks it of every object no schema validates (`pos(())`)."""
    path = tmp_path / "list.yaml"
    path.write_text(
        "# two objects\n---\n"
        + MANIFEST
        + "---\nkind: List\nitems:\n- "
        + "\n  ".join(MANIFEST.splitlines())
        + "\n"
    )
    loaded = load_file(str(path))
    loaded.nodes.release()
    path.unlink()
    assert [r.pos(()) for r in loaded.resources] == [(3, 1), (13, 3)]
    assert loaded.nodes._roots is None


def test_a_file_edited_after_loading_is_not_located_in_its_new_text(tmp_path):
    path = tmp_path / "svc.yaml"
    path.write_text(MANIFEST)
    service = _released(path)
    path.write_text("# a comment moves every line\n" + MANIFEST)
    assert service.pos(("spec", "selector", "app")) == (1, 1)


def test_text_that_cannot_be_read_again_is_kept(tmp_path):
    from k8slint.load.loader import load_bytes

    loaded = load_bytes(MANIFEST.encode(), "<stdin>")
    loaded.nodes.release()
    assert loaded.resources[0].pos(("spec", "selector")) == (6, 3)


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
"""


def test_crd_schemas_are_packed_for_the_cross_object_phase_and_unpacked_on_use(tmp_path):
    from k8slint.engine.run import Engine, _Run
    from k8slint.kube.crd_validators import crd_versions
    from k8slint.kube.packed import PackedSchema
    from k8slint.load.discover import InputFile

    path = tmp_path / "crd.yaml"
    path.write_text(CRD)
    (crd,) = _Run(Engine([])).load(InputFile(str(path), path=str(path)), context_only=True)
    holder = crd.data["spec"]["versions"][0]["schema"]
    assert isinstance(holder["openAPIV3Schema"], PackedSchema)
    (version,) = crd_versions(crd)
    assert version.schema["properties"]["spec"]["properties"]["size"] == {"type": "integer"}


def test_a_crd_schema_held_twice_is_kept_once_also_when_it_comes_from_a_worker(tmp_path):
    """16 copies of a tree hold each CRD 16 times; its packed schema is one object,
    in the process that packed it and in one that unpickles it (workers, cache)."""
    from k8slint.engine.run import Engine, _Run

    crds = []
    for copy in ("one", "two"):
        path = tmp_path / f"{copy}.yaml"
        path.write_text(CRD)
        crds += _Run(Engine([])).load(InputFile(str(path), path=str(path)), context_only=True)
    schemas = [crd.data["spec"]["versions"][0]["schema"]["openAPIV3Schema"] for crd in crds]
    assert schemas[0] is schemas[1]
    sent = pickle.loads(pickle.dumps(crds[0].data))
    assert sent["spec"]["versions"][0]["schema"]["openAPIV3Schema"] is schemas[0]


def test_config_values_are_dropped_for_the_cross_object_phase_and_keys_kept(tmp_path):
    from k8slint.engine.run import Engine, _Run
    from k8slint.load.discover import InputFile

    path = tmp_path / "cm.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
        "data:\n  app.conf: |\n    a long file\n  mode: fast\n"
    )
    (config,) = _Run(Engine([])).load(InputFile(str(path), path=str(path)), context_only=True)
    assert config.data["data"] == {"app.conf": "", "mode": ""}


def test_a_crd_vendored_twice_is_compiled_once_and_reports_once(tmp_path, monkeypatch):
    import k8slint.checks.schema as schema_module
    from k8slint.engine.registry import load_rules
    from k8slint.engine.run import Engine
    from k8slint.load.discover import discover

    for copy in ("one", "two"):
        (tmp_path / copy).mkdir()
        (tmp_path / copy / "crd.yaml").write_text(CRD)
    (tmp_path / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n"
    )
    compiled = []
    real = schema_module.custom_resource_schema
    monkeypatch.setattr(
        schema_module,
        "custom_resource_schema",
        lambda *args: compiled.append(args) or real(*args),
    )
    engine = Engine([load_rules()["crd-schema"]], jobs=1, kustomize_command="none")
    result = engine.lint(discover([str(tmp_path)]).files)
    assert [finding.file for finding in result.findings] == [str(tmp_path / "widget.yaml")]
    assert len(compiled) == 1


def test_files_composed_again_for_positions_keep_few_node_trees(tmp_path):
    """A cross-object finding recomposes its file; thousands of files reported
    on must not all keep their trees to the end of the run."""
    from k8slint.load import loader

    services = []
    for number in range(40):
        path = tmp_path / f"svc{number}.yaml"
        path.write_text(MANIFEST)
        services.append(_released(path))
    for service in services:
        assert service.pos(("spec", "selector", "app")) == (7, 5)
    kept = [s for s in services if s.locate.nodes._roots is not None]
    assert 0 < len(kept) <= loader._RECOMPOSED._size < len(services)
