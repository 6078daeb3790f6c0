"""crd-schema: custom resources against the CRDs of the run, on the corpus projects
that ship both (kube-prometheus, Gateway API), and the not-validated summary."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support import lint_text, shared

from k8slint.cli import cli
from k8slint.engine.registry import load_rules
from k8slint.engine.run import Engine
from k8slint.kube.crd_validators import defaulting_part, with_defaults
from k8slint.load.discover import InputFile, discover


def kube_prometheus():
    return shared("corpus", "kube-prometheus", "manifests")


def gateway_api():
    return shared("corpus", "gateway-api")


def _lint(paths, context=(), inputs=()):
    engine = Engine([load_rules()["crd-schema"]])
    files = [*discover([str(p) for p in paths]).files, *inputs]
    return engine.lint(files, discover([str(p) for p in context]).files if context else ())


def test_kube_prometheus_resources_validate_against_their_crds():
    result = _lint([kube_prometheus()])
    assert result.findings == [] and not result.internal_errors
    assert result.not_validated == []


def test_kube_prometheus_resources_are_listed_without_their_crds():
    result = _lint([kube_prometheus() / "alertmanager-serviceMonitor.yaml"])
    assert [(n.object.api_version, n.object.kind) for n in result.not_validated] == [
        ("monitoring.coreos.com/v1", "ServiceMonitor")
    ]


def test_a_broken_service_monitor_is_found_with_crds_from_the_context():
    text = (kube_prometheus() / "alertmanager-serviceMonitor.yaml").read_text()
    broken = text.replace("  - interval: 30s\n    port: web\n", "  - interval: 30\n    prot: web\n")
    assert broken != text
    item = InputFile("servicemonitor.yaml", data=broken.encode())
    result = _lint([], context=[kube_prometheus() / "setup"], inputs=[item])
    messages = {(f.line, f.message.split(":")[0]) for f in result.findings}
    assert (14, "spec.endpoints[0].interval") in messages
    assert any(line == 15 and "prot" in message for line, message in messages)
    assert {f.rule for f in result.findings} == {"crd-schema"}


def test_gateway_api_examples_validate_against_either_channel():
    result = _lint([gateway_api() / "config" / "crd", gateway_api() / "examples"])
    assert not result.internal_errors
    assert result.not_validated == []
    assert result.findings == []


def test_crd_dir_and_the_summary_on_the_command_line():
    text = (kube_prometheus() / "alertmanager-serviceMonitor.yaml").read_text()
    broken = text.replace("interval: 30s", "interval: [30s]", 1)
    runner = CliRunner()
    args = ["lint", "--select", "crd-schema", "--format", "json", "-"]
    alone = json.loads(runner.invoke(cli, args, input=broken).output)
    assert alone["findings"] == [] and alone["summary"]["not_validated"] == 1
    assert alone["not_validated"][0]["object"]["kind"] == "ServiceMonitor"
    with_crds = runner.invoke(
        cli, [*args[:-1], "--crd-dir", str(kube_prometheus() / "setup"), "-"], input=broken
    )
    found = json.loads(with_crds.output)
    assert with_crds.exit_code == 1 and found["summary"]["not_validated"] == 0
    assert [f["line"] for f in found["findings"]] == [14]
    text_run = runner.invoke(cli, ["lint", "--select", "crd-schema", "-"], input=broken)
    assert "1 custom resource not validated" in text_run.output
    assert "monitoring.coreos.com/v1 ServiceMonitor" in text_run.output


def test_a_broken_crd_leaves_its_objects_unvalidated_without_stopping_the_run():
    text = """\
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
            spec:
              type: [{}]
              required: [{a: 1}]
              pattern: "("
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: blue}
spec: {size: 1}
"""
    result = lint_text(text, ["crd-schema"])
    assert not result.internal_errors
    assert [item.object.kind for item in result.not_validated] == ["Widget"]


_DEFAULTED = {
    "type": "object",
    "properties": {
        "plain": {"type": "string"},
        "kind": {"type": "string", "default": "Bucket"},
        "target": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "port": {"default": 80}},
        },
        "rules": {"type": "array", "items": {"properties": {"weight": {"default": 1}}}},
        "labels": {
            "properties": {"fixed": {"type": "string"}},
            "additionalProperties": {"properties": {"mode": {"default": "on"}}},
        },
        "untouched": {"properties": {"deep": {"properties": {"leaf": {"type": "string"}}}}},
    },
}


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"plain": "x", "kind": "Other"},
        {"target": {"name": "a"}, "rules": [{}, {"weight": 3}, "not a mapping"]},
        {"labels": {"fixed": {}, "extra": {}, "more": {"mode": "off"}}},
        {"untouched": {"deep": {"leaf": "y"}}, "target": "not a mapping"},
    ],
)
def test_defaults_from_the_defaulting_part_are_those_of_the_whole_schema(value):
    part = defaulting_part(_DEFAULTED)
    assert with_defaults(part, value) == with_defaults(_DEFAULTED, value)
    assert "untouched" not in part["properties"] and "plain" not in part["properties"]


def test_a_schema_without_defaults_has_no_defaulting_part():
    assert defaulting_part(_DEFAULTED["properties"]["untouched"]) is None
