"""What kind of file, or document, is this? The one place that decides.

Pre-commit and directory walks hand k8slint every YAML file, and only some of
them are the objects Kubernetes will be sent:

- a Kubernetes manifest: linted as it stands;
- a Kustomize file (`kustomization.yaml`): not an object, skipped with a notice;
- a Kustomize configuration file (named by a kustomization's `transformers`,
  `generators`, `validators`, `configurations`, `replacements`, `openapi` or
  `crds`): Kustomize's input, never sent to the API server, skipped with a notice;
- a Kustomize patch (named by a kustomization's `patches`) or a base whose
  kustomization adds labels to selectors: an *input* whose missing parts
  Kustomize supplies, so "missing required field" says nothing about it;
- a Helm template (under a chart's `templates/`, or Go template syntax that
  does not parse as YAML): skipped with a notice;
- a tool's configuration document (Kustomization, kubeconfig, component
  configs): YAML with a `kind`, but no API object.

Everything else asks here. The Kustomize facts need the kustomization files,
so a `FileClassifier` belongs to one run and reads each directory once; the
engine stamps the verdict on every `Resource` (`file_kind`), and checks read
that field instead of reading files.
"""

from __future__ import annotations

import os
import re
from typing import Any, NamedTuple

from k8slint.kube.kinds import pod_spec
from k8slint.model import Resource

MANIFEST = "manifest"
KUSTOMIZATION = "kustomization"
KUSTOMIZE_PATCH = "kustomize-patch"
KUSTOMIZE_CONFIG = "kustomize-config"
KUSTOMIZE_LABELLED_BASE = "kustomize-labelled-base"
HELM_TEMPLATE = "helm-template"

SKIPPED_NOTICES = {
    KUSTOMIZATION: "Kustomize file, not a manifest: its objects are linted as its build makes them",
    KUSTOMIZE_CONFIG: (
        "Kustomize configuration (a transformer, generator, replacement or openapi file "
        "named by a kustomization), not a manifest: skipped"
    ),
    HELM_TEMPLATE: (
        "Helm template: skipped; lint the rendered output "
        "(`helm template <chart> | k8slint lint -`)"
    ),
}
"""The one notice for each kind of file that is skipped."""

KUSTOMIZE_FILE_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})

_MAX_PATCH_LEVELS = 6
"""How far up a patch's kustomization may live (overlays/<name>/patches/x.yaml)."""

_TOOL_GROUPS = frozenset(
    {"kustomize.config.k8s.io", "kind.x-k8s.io", "kubeadm.k8s.io", "audit.k8s.io"}
)
_TOOL_KINDS = frozenset({"Kustomization", "Component", "Config"})
_TOOL_INPUT_KINDS = frozenset({"IstioOperator"})
"""Kinds read by a command-line tool (istioctl install -f), where no name is needed."""

_CONFIG_FIELDS = (
    "transformers",
    "generators",
    "validators",
    "configurations",
    "replacements",
    "openapi",
    "crds",
)
"""Kustomization fields whose files configure Kustomize rather than hold objects."""

_TEMPLATE_ACTION = re.compile(r"\{\{")


def kind_of_name(display: str) -> str:
    """The kind that a file's name alone decides (stdin named with --stdin-filename too)."""
    return KUSTOMIZATION if os.path.basename(display) in KUSTOMIZE_FILE_NAMES else MANIFEST


def is_chart_templates(directory: str) -> bool:
    """A Helm chart's `templates/`: beside a `Chart.yaml`."""
    return os.path.basename(directory) == "templates" and os.path.isfile(
        os.path.join(os.path.dirname(directory), "Chart.yaml")
    )


def in_chart_templates(path: str) -> bool:
    """A file under a chart's `templates/` (pre-commit passes them one by one).

    Only templates are Go templates; a chart's `crds/` and values are plain YAML.
    """
    directory = os.path.dirname(os.path.abspath(path))
    while True:
        if is_chart_templates(directory):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent


def is_template_text(text: str) -> bool:
    """Does text that failed to parse hold Go template actions (`{{ }}`)?

    Only outside comments: a `{{` in a comment of a broken plain manifest must
    not turn its syntax error into a skipped template.
    """
    for line in text.splitlines():
        match = _TEMPLATE_ACTION.search(line)
        if match and "#" not in line[: match.start()]:
            return True
    return False


def is_tool_document(resource: Resource) -> bool:
    """Kustomize files, kubeconfigs and component configs: YAML with a kind, not API objects."""
    from k8slint.kube.openapi import builtin_kinds, newest_version

    group = resource.api_group
    if group in _TOOL_GROUPS or group.endswith("config.k8s.io"):
        return True
    if resource.kind in _TOOL_KINDS and "metadata" not in resource.data:
        return True
    if resource.kind in _TOOL_INPUT_KINDS:
        return True
    if is_kustomize_plugin_config(resource):
        return True
    return bool(resource.kind and resource.kind.endswith("Configuration")) and (
        resource.api_version,
        resource.kind,
    ) not in builtin_kinds(newest_version())


def is_kustomize_plugin_config(resource: Resource) -> bool:
    """A builtin transformer or generator's configuration (`apiVersion: builtin`,
    `kind: LabelTransformer`), or a Kustomization/Component wherever it is kept."""
    kind = resource.kind or ""
    if resource.api_version == "builtin" and kind.endswith(("Transformer", "Generator")):
        return True
    return kind in ("Kustomization", "Component") and resource.api_group.startswith("kustomize.")


def has_patch_directives(data: Any) -> bool:
    """Does the document hold strategic-merge-patch directives (`$patch: delete`,
    `$setElementOrder/...`)? Then it is a patch, not a whole object.

    A loop over a stack of the collections still to look into, not a call per
    value: this walks every key of nearly every object, for a rare answer."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and key.startswith("$"):
                    return True
                if isinstance(item, (dict, list)):
                    pending.append(item)
        elif isinstance(value, list):
            pending.extend(item for item in value if isinstance(item, (dict, list)))
    return False


def is_kustomize_input(resource: Resource) -> bool:
    """A Kustomize input rather than the object that gets applied: a patch (by its
    kustomization or its `$patch` directives), a base whose kustomization adds its
    selector, or a base workload in a Kustomize tree whose containers await their
    image from it (`images:`) or an overlay. Its missing fields are not missing
    from what gets applied; anything else is judged as the API would judge it.

    Decided once per object (a dozen checks ask, and the `$patch` search walks the
    whole object)."""
    decided = resource.derived.get(_KUSTOMIZE_INPUT)
    if decided is None:
        decided = resource.derived[_KUSTOMIZE_INPUT] = (
            resource.file_kind in (KUSTOMIZE_PATCH, KUSTOMIZE_LABELLED_BASE)
            or has_patch_directives(resource.data)
            or (resource.kustomize_tree is not None and _awaits_image(resource))
        )
    return decided


_KUSTOMIZE_INPUT = "kustomize-input"
"""`Resource.derived` key: `is_kustomize_input`'s verdict."""


def _awaits_image(resource: Resource) -> bool:
    """A pod template without containers, or with one that has no image (yet)."""
    pod = pod_spec(resource)
    if pod is None:
        return False
    regular = pod.spec.get("containers")
    return not (
        isinstance(regular, list)
        and regular
        and all(isinstance(c, dict) and c.get("image") for c in regular)
    )


class KustomizeTree(NamedTuple):
    """What the kustomizations at or above a file say about the objects in it."""

    root: str
    """The nearest directory holding a kustomization: one build takes in its
    objects and those below it (one application, for the reference rules)."""
    generated: frozenset[tuple[str, str]]
    """(kind, name) of the ConfigMaps and Secrets that configMapGenerator and
    secretGenerator create: references to them are rewritten to the hashed name."""
    rewrites_namespace: bool
    """A `namespace:` transformer sets every object's namespace at build time."""


class FileClassifier:
    """Decides the kind of each file of one run, reading each kustomization once."""

    def __init__(self) -> None:
        self._kustomizations: dict[str, dict[str, Any]] = {}
        self._patches: dict[str, frozenset[str]] = {}
        self._configs: dict[str, frozenset[str]] = {}
        self._trees: dict[str, KustomizeTree | None] = {}
        self._charts: dict[str, bool] = {}
        self._named: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._files: dict[str, bool] = {}

    def kind_of(self, display: str, path: str | None) -> str:
        """The kind of a file to load; `path` is None for stdin."""
        by_name = kind_of_name(display)
        if by_name != MANIFEST or path is None or not self._is_file(path):
            return by_name
        target = os.path.abspath(path)
        directory = os.path.dirname(target)
        if self._in_chart_templates(directory):
            return HELM_TEMPLATE
        configs, patches = self._named_near(directory)
        if target in configs:
            return KUSTOMIZE_CONFIG
        if target in patches:
            return KUSTOMIZE_PATCH
        if self._adds_selector_labels(directory):
            return KUSTOMIZE_LABELLED_BASE
        return MANIFEST

    def saw_file(self, path: str) -> None:
        """Discovery found a regular file at `path` (`InputFile.regular`): not asked again."""
        self._files[path] = True

    def _is_file(self, path: str) -> bool:
        """Whether `path` is a file, asked once per run: the engine asks `kind_of`
        and `tree_of` of every file, and a stat costs more than the rest of both."""
        found = self._files.get(path)
        if found is None:
            found = self._files[path] = os.path.isfile(path)
        return found

    def _in_chart_templates(self, directory: str) -> bool:
        """`in_chart_templates` for the files of `directory`, decided once per directory."""
        decided = self._charts.get(directory)
        if decided is None:
            parent = os.path.dirname(directory)
            decided = is_chart_templates(directory) or (
                parent != directory and self._in_chart_templates(parent)
            )
            self._charts[directory] = decided
        return decided

    def _named_near(self, directory: str) -> tuple[frozenset[str], frozenset[str]]:
        """The configuration files and the patches that the kustomizations in
        `directory` or above it (as far up as a patch's may be) name, as absolute
        paths: gathered once per directory, for all the files in it."""
        found = self._named.get(directory)
        if found is None:
            chain = [directory]
            while len(chain) < _MAX_PATCH_LEVELS:
                parent = os.path.dirname(chain[-1])
                if parent == chain[-1]:
                    break
                chain.append(parent)
            found = self._named[directory] = (
                frozenset().union(*map(self._configs_listed_in, chain)),
                frozenset().union(*map(self._patches_listed_in, chain)),
            )
        return found

    def tree_of(self, path: str | None) -> KustomizeTree | None:
        """The Kustomize tree a file belongs to (None outside one, and for stdin)."""
        if path is None or not self._is_file(path):
            return None
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in self._trees:
            self._trees[directory] = self._tree(directory)
        return self._trees[directory]

    def _tree(self, directory: str) -> KustomizeTree | None:
        found: list[dict[str, Any]] = []
        root = None
        for _ in range(_MAX_PATCH_LEVELS):
            data = self.kustomization(directory)
            if data:
                root = root or directory
                found.append(data)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        if root is None:
            return None
        generated = frozenset(
            (kind, entry["name"])
            for data in found
            for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret"))
            for entry in _as_list(data.get(key))
            if isinstance(entry, dict) and isinstance(entry.get("name"), str)
        )
        rewrites = any(isinstance(data.get("namespace"), str) for data in found)
        return KustomizeTree(root, generated, rewrites)

    def kustomization(self, directory: str) -> dict[str, Any]:
        """The kustomization file of `directory`, parsed (empty if none or unreadable)."""
        if directory not in self._kustomizations:
            self._kustomizations[directory] = _read_kustomization(directory)
        return self._kustomizations[directory]

    def kustomizations(self) -> dict[str, dict[str, Any]]:
        """Every kustomization read so far, by directory (for `adopt`)."""
        return dict(self._kustomizations)

    def adopt(self, kustomizations: dict[str, dict[str, Any]]) -> None:
        """Take kustomizations an earlier run read, vouched for unchanged since
        (`k8slint.cache.plan`): each is parsed once, not once a run."""
        self._kustomizations.update(kustomizations)

    def _adds_selector_labels(self, directory: str) -> bool:
        data = self.kustomization(directory)
        if isinstance(data.get("commonLabels"), dict) and data["commonLabels"]:
            return True
        return any(
            isinstance(item, dict) and item.get("includeSelectors") is True
            for item in _as_list(data.get("labels"))
        )

    def _patches_listed_in(self, directory: str) -> frozenset[str]:
        """Absolute paths of the patch files the kustomization in `directory` names."""
        if directory not in self._patches:
            data = self.kustomization(directory)
            named: list[str] = []
            for entry in _as_list(data.get("patchesStrategicMerge")):
                if isinstance(entry, str) and "\n" not in entry:
                    named.append(entry)
            for entry in _as_list(data.get("patches")):
                target = entry.get("path") if isinstance(entry, dict) else entry
                if isinstance(target, str) and "\n" not in target:
                    named.append(target)
            self._patches[directory] = frozenset(
                os.path.normpath(os.path.join(directory, item)) for item in named
            )
        return self._patches[directory]

    def _configs_listed_in(self, directory: str) -> frozenset[str]:
        """Absolute paths of the configuration files the kustomization in `directory`
        names (a named directory: the files its own kustomization lists)."""
        if directory not in self._configs:
            self._configs[directory] = frozenset()  # a cycle of directories ends here
            data = self.kustomization(directory)
            found: set[str] = set()
            for field in _CONFIG_FIELDS:
                for entry in _as_list(data.get(field)) or [data.get(field)]:
                    target = entry.get("path") if isinstance(entry, dict) else entry
                    if not isinstance(target, str) or "\n" in target or "://" in target:
                        continue
                    named = os.path.normpath(os.path.join(directory, target))
                    if os.path.isdir(named):
                        listed = self.kustomization(named).get("resources")
                        found.update(
                            os.path.normpath(os.path.join(named, item))
                            for item in _as_list(listed)
                            if isinstance(item, str)
                        )
                    else:
                        found.add(named)
            self._configs[directory] = frozenset(found)
        return self._configs[directory]


def _read_kustomization(directory: str) -> dict[str, Any]:
    for name in sorted(KUSTOMIZE_FILE_NAMES):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        # Only here: a run whose result is cached classifies its files, and
        # most directories have no kustomization: the loader (YAML) is not needed.
        from k8slint.load.loader import YAMLError, parse_yaml

        try:
            with open(path, encoding="utf-8-sig") as handle:
                data = parse_yaml(handle.read())
        except (OSError, ValueError, YAMLError):
            return {}
        return data if isinstance(data, dict) else {}
    return {}


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
