"""Container image references, parsed the way the container runtime reads them.

`registry:5000/team/app:1.2@sha256:...` has a registry (a first path component
with a dot or a port, `localhost`, or upper-case letters), a repository of
lower-case components, an optional tag after the last colon of the last
component, and an optional digest after `@`. Telling a registry port from a
tag matters: `registry:5000/app` has no tag at all, so it pulls `latest`.
What does not follow that grammar (`${IMAGE}`, `{{ .Values.image }}`,
`PROJECT_ID/app`) is a placeholder for a tool to fill in, not a reference.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_DOMAIN = re.compile(
    r"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    r"(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$"
)
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


class ImageRef(NamedTuple):
    registry: str | None
    """None for Docker Hub, written without one (`nginx`, `bitnami/redis`)."""
    repository: str
    tag: str | None
    digest: str | None

    @property
    def is_mutable(self) -> bool:
        """Whether the reference may mean different images over time: no digest, and
        no tag or `latest`. A digest pins the image whatever tag stands beside it."""
        return self.digest is None and self.tag in (None, "latest")


def _is_registry(component: str) -> bool:
    return (
        "." in component
        or ":" in component
        or component == "localhost"
        or (component != component.lower())
    )


def parse_image(reference: str) -> ImageRef | None:
    """The parts of a reference; None for what is not one (a placeholder, a typo)."""
    name, at, digest = reference.partition("@")
    first, slash, rest = name.partition("/")
    if slash and _is_registry(first):
        registry, path = first, rest
    else:
        registry, path = None, name
    head, slash, last = path.rpartition("/")
    last, colon, tag = last.partition(":")
    repository = f"{head}/{last}" if slash else last
    valid = (
        _REPOSITORY.match(repository)
        and (registry is None or _DOMAIN.match(registry))
        and (not colon or _TAG.match(tag))
        and (not at or _DIGEST.match(digest))
    )
    if not valid:
        return None
    return ImageRef(registry, repository, tag if colon else None, digest if at else None)
