"""What the cross-object phase keeps of an object's bulk.

Every object of a run is held at once for the cross-object checks, so what
they never read goes once an object's own checks are done:
- A CRD's OpenAPI schema is most of its size (CRDs were 25 of the 76 MiB the
  corpus kept), and a schema is needed only where the run holds an object of
  its kind: it is packed in place (one copy per distinct schema), and
  `crd_validators` unpacks the few that a custom resource needs.
- A ConfigMap's or Secret's values: cross-object checks find them by name and
  never read what they hold; the keys stay (a check of `configMapKeyRef.key`
  would need them), the values are emptied.
- Most of a built-in workload's containers (`READ_CONTAINER_FIELDS` says what stays).

This module is the one list of what a cross-object check may not read: one
that needs a field shed here keeps it here (tests/test_shed.py lints the
corpus and the fixtures with and without shedding and compares the findings).
"""

from __future__ import annotations

import weakref
from typing import Any

from k8slint.kube.kinds import CONTAINER_GROUPS, get_path, workload_kind
from k8slint.model import Resource


class PackedSchema:
    """An OpenAPI schema (plain data) as its pickle, immutable: a copy, deep
    copy or pickle of the object carries it as it is.

    One object per distinct schema in the process (`_shared`, also when a
    worker's or the cache's pickle is loaded): a CRD vendored into several
    applications, or a monorepo's copies of one tree, keeps its schema once.
    """

    __slots__ = ("__weakref__", "packed")

    def __init__(self, packed: bytes) -> None:
        self.packed = packed

    def unpack(self) -> Any:
        import pickle  # packing and unpacking are for CRDs: not imported by every run

        return pickle.loads(self.packed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackedSchema) and other.packed == self.packed

    def __hash__(self) -> int:
        return hash(self.packed)

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _shared, (self.packed,)

    def __copy__(self) -> PackedSchema:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> PackedSchema:
        return self


_SHARED: weakref.WeakValueDictionary[bytes, PackedSchema] = weakref.WeakValueDictionary()
"""Every packed schema alive, by its bytes; an entry goes with its last user."""


def _shared(packed: bytes) -> PackedSchema:
    found = _SHARED.get(packed)
    if found is None:
        found = _SHARED[packed] = PackedSchema(packed)
    return found


def _pack(value: Any) -> PackedSchema:
    """The schema's pickle, not compressed: compressing it (zlib's fastest) was
    half of packing and a third of unpacking, 3% of a lint of the corpus, for
    3 MiB of its 67 at peak; the pickle is already several times smaller than
    the schema's objects, and a schema met again (a CRD vendored into several
    applications: 82 of the corpus's 149) is held once, found by its bytes."""
    import pickle

    return _shared(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _pack_crd_schemas(crd: Resource) -> None:
    """Replace the `openAPIV3Schema` of every version (and of v1beta1's
    `spec.validation`) by its packed form."""
    spec = crd.data.get("spec")
    if not isinstance(spec, dict):
        return
    holders = [spec.get("validation")]
    versions = spec.get("versions")
    if isinstance(versions, list):
        holders += [entry.get("schema") for entry in versions if isinstance(entry, dict)]
    for holder in holders:
        if isinstance(holder, dict) and isinstance(holder.get("openAPIV3Schema"), dict):
            holder["openAPIV3Schema"] = _pack(holder["openAPIV3Schema"])


CONFIG_KINDS = frozenset({"ConfigMap", "Secret"})
_VALUE_FIELDS = ("data", "binaryData", "stringData")


READ_CONTAINER_FIELDS = frozenset(
    {
        "name",
        "ports",
        "securityContext",
        "restartPolicy",
        "envFrom",
        "volumeMounts",
        "volumeDevices",
    }
)
"""What cross-object checks read of a built-in workload's container, kept whole:
its name, ports (Services' named targetPorts, Pod Security's hostPort), security
context (Pod Security), role (`restartPolicy` of an init container), the
ConfigMaps and Secrets it references, its mounts. Of the rest they read only:
- `env`: each variable's `valueFrom` (the ConfigMaps and Secrets it references);
- the probes and lifecycle hooks (`_HANDLERS`): whether there is one (a
  readinessProbe) and the `host` an httpGet or tcpSocket action targets (Pod
  Security); these stay, holding only that.
Everything else (the image, what the container runs, its resources: often most
of a workload) is shed. Not from a custom kind's object: it is validated whole
against its CRD (`crd-schema`); nor from a file of a Kustomize tree: a build's
findings are placed by matching the built objects against their files' objects,
fields and all (`kustomize.origin`)."""

_HANDLERS = ("livenessProbe", "readinessProbe", "startupProbe")
_HOOKS = ("postStart", "preStop")
_HOST_ACTIONS = ("httpGet", "tcpSocket")


def _shed_containers(resource: Resource) -> None:
    workload = workload_kind(resource)
    if (
        workload is None
        or resource.template_path is not None
        or resource.kustomize_tree is not None
    ):
        return
    pod = get_path(resource.data, workload.pod_spec_path)
    if not isinstance(pod, dict):
        return
    for group in CONTAINER_GROUPS:
        items = pod.get(group)
        for container in items if isinstance(items, list) else ():
            if isinstance(container, dict):
                _shed_container(container)


def _shed_container(container: dict[str, Any]) -> None:
    kept = {name: value for name, value in container.items() if name in READ_CONTAINER_FIELDS}
    env = _env_sources(container.get("env"))
    if env:
        kept["env"] = env
    for name in _HANDLERS:
        if name in container:
            kept[name] = _hosts(container[name])
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        kept["lifecycle"] = {hook: _hosts(lifecycle[hook]) for hook in _HOOKS if hook in lifecycle}
    container.clear()
    container.update(kept)


def _env_sources(env: Any) -> Any:
    """The variables with a `valueFrom`, each at its place (paths are positions):
    the others are None, and none after the last such variable."""
    if not isinstance(env, list):
        return env
    sources = [
        {"valueFrom": variable["valueFrom"]}
        if isinstance(variable, dict) and "valueFrom" in variable
        else None
        for variable in env
    ]
    while sources and sources[-1] is None:
        sources.pop()
    return sources


def _hosts(handler: Any) -> Any:
    """A probe or hook as the host its httpGet or tcpSocket action targets, if any."""
    if not isinstance(handler, dict):
        return handler
    return {
        action: {"host": handler[action]["host"]}
        for action in _HOST_ACTIONS
        if isinstance(handler.get(action), dict) and "host" in handler[action]
    }


def shed_bulk(resource: Resource) -> None:
    """Shed what no cross-object check reads (see the module docstring)."""
    if resource.kind == "CustomResourceDefinition":
        _pack_crd_schemas(resource)
    elif resource.kind in CONFIG_KINDS and resource.api_version == "v1":
        for name in _VALUE_FIELDS:
            values = resource.data.get(name)
            if isinstance(values, dict):
                resource.data[name] = dict.fromkeys(values, "")
    else:
        _shed_containers(resource)


def unpacked(value: Any) -> Any:
    """A schema as plain data, whether it was packed or not."""
    return value.unpack() if isinstance(value, PackedSchema) else value
