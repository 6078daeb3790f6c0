"""The run index: lookups by namespace and name, pod templates, related directories."""

from __future__ import annotations

from k8slint.kube.index import RunIndex, namespace_of, related
from k8slint.kube.nearness import closest, similar
from k8slint.load.loader import load_text

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
        - name: proxy
          image: proxy:1
          restartPolicy: Always
          ports: [{name: proxy, containerPort: 1}]
        - {name: setup, image: setup:1, ports: [{name: setup, containerPort: 2}]}
      containers:
        - {name: web, image: web:1, ports: [{name: http, containerPort: 8080}]}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: blue
  namespace: shop
"""


def index_of(*files: tuple[str, str]) -> RunIndex:
    return RunIndex(r for name, text in files for r in load_text(text, name).resources)


def test_lookups_by_kind_namespace_and_name():
    index = index_of(("app/web.yaml", DEPLOYMENT))
    (web,) = index.of_kind("Deployment")
    assert namespace_of(web) == "default"
    assert index.named("default", "Deployment", "web") == [web]
    assert index.named("shop", "Deployment", "web") == []
    assert index.crd_kinds() == {("example.com", "Widget")}
    assert index.custom_resource_names("shop") == {"blue"}
    # the strings a custom resource holds, at any depth; never a built-in object's
    assert index.custom_resource_strings("shop") == {"example.com/v1", "Widget", "blue", "shop"}
    assert index.custom_resource_strings("default") == set()


def test_pod_templates_carry_labels_and_serving_port_names():
    index = index_of(("app/web.yaml", DEPLOYMENT))
    (template,) = index.pod_templates("default")
    assert template.labels == {"app": "web"}
    assert template.labels_path == ("spec", "template", "metadata", "labels")
    assert template.port_names() == {"http", "proxy"}  # a plain init container serves nothing
    assert "pod-template-hash" in template.added_labels
    assert [t.resource.name for t in index.complete_templates()] == ["web"]


def test_related_directories_and_alternatives():
    index = index_of(
        ("app/web.yaml", DEPLOYMENT),
        ("app/prod/web.yaml", DEPLOYMENT),
        ("other/web.yaml", DEPLOYMENT.replace("name: web", "name: api", 1)),
    )
    app, prod, other = index.of_kind("Deployment")
    assert related(app, prod) and related(prod, app)
    assert not related(app, other)
    assert index.alternatives(app, prod)  # the same object twice
    assert [t.resource for t in index.pod_templates("default", near=prod)] == [app, prod]


def test_similar_names_and_values():
    assert similar("web", "wbe") and similar("front", "frontend") and similar("backend", "backnd")
    assert not similar("tcp-backend", "tcp-backend-v1")  # a separated qualifier: another name
    assert not similar("web", "api") and not similar("rabbitmq-service", "triton-service")
    assert closest("wbe", ["api", "web", "worker"]) == "web"
    assert closest("billing", ["web", "api"]) is None


def test_complete_templates_in_the_order_of_the_run():
    def deployment(name: str, patch: bool = False) -> str:
        extra = "\n      $patch: replace" if patch else ""
        return (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\n"
            f"spec:\n  template:\n    spec:{extra}\n      containers: [{{name: c, image: i}}]\n"
        )

    index = index_of(
        ("a/one.yaml", deployment("one")),
        ("b/two.yaml", deployment("two")),
        ("a/three.yaml", deployment("three")),
        ("a/patch.yaml", deployment("patched", patch=True)),  # a Kustomize input
    )
    assert [t.resource.name for t in index.complete_templates()] == ["one", "two", "three"]
    # grouped by directory where they are looked up by namespace
    assert [t.resource.name for t in index.pod_templates("default")] == ["one", "three", "two"]
