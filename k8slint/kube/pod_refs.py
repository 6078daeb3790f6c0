"""The objects a pod template names: ServiceAccount, ConfigMaps, Secrets, claims.

The kubelet resolves these by name in the pod's namespace when it starts the
pod; a required one that is missing keeps the pod from starting
(CreateContainerConfigError, or a volume that never mounts). One walk of the
pod spec lists them all, so that each reference rule reads the same facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from k8slint.kube.kinds import PodSpecAt, containers
from k8slint.model import JsonPath


class NamedRef(NamedTuple):
    """`kind`/`name` named at `path`; `optional` ones may be missing by design."""

    kind: str
    name: str
    path: JsonPath
    optional: bool
    use: str
    """How the pod uses it, for the message: `envFrom`, `a volume`..."""


def _ref(kind: str, holder: object, key: str, path: JsonPath, use: str) -> Iterator[NamedRef]:
    if not isinstance(holder, dict):
        return
    name = holder.get(key)
    if isinstance(name, str) and name:
        yield NamedRef(kind, name, (*path, key), holder.get("optional") is True, use)


def config_refs(pod: PodSpecAt) -> Iterator[NamedRef]:
    """ConfigMaps and Secrets: env, envFrom, volumes (projected too), imagePullSecrets."""
    for container in containers(pod):
        data = container.container
        env_from = data.get("envFrom")
        for i, item in enumerate(env_from if isinstance(env_from, list) else ()):
            if isinstance(item, dict):
                at = (*container.path, "envFrom", i)
                yield from _ref(
                    "ConfigMap", item.get("configMapRef"), "name", (*at, "configMapRef"), "envFrom"
                )
                yield from _ref(
                    "Secret", item.get("secretRef"), "name", (*at, "secretRef"), "envFrom"
                )
        env = data.get("env")
        for i, item in enumerate(env if isinstance(env, list) else ()):
            source = item.get("valueFrom") if isinstance(item, dict) else None
            if isinstance(source, dict):
                at = (*container.path, "env", i, "valueFrom")
                for field, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    yield from _ref(kind, source.get(field), "name", (*at, field), "env valueFrom")
    volumes = pod.spec.get("volumes")
    for i, volume in enumerate(volumes if isinstance(volumes, list) else ()):
        if not isinstance(volume, dict):
            continue
        at = (*pod.path, "volumes", i)
        yield from _ref(
            "ConfigMap", volume.get("configMap"), "name", (*at, "configMap"), "a volume"
        )
        yield from _ref("Secret", volume.get("secret"), "secretName", (*at, "secret"), "a volume")
        sources = (
            volume.get("projected", {}).get("sources")
            if isinstance(volume.get("projected"), dict)
            else None
        )
        for j, source in enumerate(sources if isinstance(sources, list) else ()):
            if isinstance(source, dict):
                here = (*at, "projected", "sources", j)
                yield from _ref(
                    "ConfigMap",
                    source.get("configMap"),
                    "name",
                    (*here, "configMap"),
                    "a projected volume",
                )
                yield from _ref(
                    "Secret", source.get("secret"), "name", (*here, "secret"), "a projected volume"
                )
    pull = pod.spec.get("imagePullSecrets")
    for i, item in enumerate(pull if isinstance(pull, list) else ()):
        for ref in _ref(
            "Secret", item, "name", (*pod.path, "imagePullSecrets", i), "imagePullSecrets"
        ):
            yield NamedRef(ref.kind, ref.name, ref.path, False, ref.use)


def claim_refs(pod: PodSpecAt) -> Iterator[NamedRef]:
    """PersistentVolumeClaims named by `persistentVolumeClaim` volumes."""
    volumes = pod.spec.get("volumes")
    for i, volume in enumerate(volumes if isinstance(volumes, list) else ()):
        if isinstance(volume, dict):
            at = (*pod.path, "volumes", i, "persistentVolumeClaim")
            for ref in _ref(
                "PersistentVolumeClaim",
                volume.get("persistentVolumeClaim"),
                "claimName",
                at,
                "a volume",
            ):
                yield NamedRef(ref.kind, ref.name, ref.path, False, ref.use)


def service_account_ref(pod: PodSpecAt) -> NamedRef | None:
    """`serviceAccountName` (or its deprecated alias `serviceAccount`)."""
    for key in ("serviceAccountName", "serviceAccount"):
        name = pod.spec.get(key)
        if isinstance(name, str) and name:
            return NamedRef("ServiceAccount", name, (*pod.path, key), False, key)
    return None
