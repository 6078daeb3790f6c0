"""Image reference parsing: registry ports are not tags, digests pin whatever the tag."""

from __future__ import annotations

import pytest

from k8slint.kube.images import ImageRef, parse_image

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("nginx", ImageRef(None, "nginx", None, None)),
        ("nginx:1.27", ImageRef(None, "nginx", "1.27", None)),
        ("nginx:latest", ImageRef(None, "nginx", "latest", None)),
        ("bitnami/redis:7.2", ImageRef(None, "bitnami/redis", "7.2", None)),
        ("docker.io/library/nginx", ImageRef("docker.io", "library/nginx", None, None)),
        ("registry:5000/app", ImageRef("registry:5000", "app", None, None)),
        ("registry:5000/team/app:1.2", ImageRef("registry:5000", "team/app", "1.2", None)),
        ("localhost/app:dev", ImageRef("localhost", "app", "dev", None)),
        ("localhost:5000/app", ImageRef("localhost:5000", "app", None, None)),
        ("gcr.io/project/app", ImageRef("gcr.io", "project/app", None, None)),
        (f"app@{DIGEST}", ImageRef(None, "app", None, DIGEST)),
        (f"app:1.2@{DIGEST}", ImageRef(None, "app", "1.2", DIGEST)),
        (f"quay.io/org/app:latest@{DIGEST}", ImageRef("quay.io", "org/app", "latest", DIGEST)),
        (f"registry:5000/app@{DIGEST}", ImageRef("registry:5000", "app", None, DIGEST)),
        # An upper-case first component can only be a registry host.
        (
            "REGION-docker.pkg.dev/project/app",
            ImageRef("REGION-docker.pkg.dev", "project/app", None, None),
        ),
        (
            "my-org/my_app__x.y-z:v1.0_rc-1",
            ImageRef(None, "my-org/my_app__x.y-z", "v1.0_rc-1", None),
        ),
    ],
)
def test_parse(reference, expected):
    assert parse_image(reference) == expected


@pytest.mark.parametrize(
    ("reference", "mutable"),
    [
        ("nginx", True),
        ("nginx:latest", True),
        ("registry:5000/app", True),  # the port is not a tag
        ("registry:5000/app:latest", True),
        ("nginx:1.27", False),
        ("registry:5000/app:1.0", False),
        (f"nginx@{DIGEST}", False),
        (f"nginx:latest@{DIGEST}", False),  # the digest decides
        ("nginx:Latest", False),  # tags are case-sensitive: not the latest tag
    ],
)
def test_is_mutable(reference, mutable):
    ref = parse_image(reference)
    assert ref is not None and ref.is_mutable is mutable


@pytest.mark.parametrize(
    "reference",
    [
        "",
        "${IMAGE}",
        "{{ .Values.image }}",
        "app:$(TAG)",
        "<your-image>",
        "gcr.io/<<PROJECT>>/jax/hello:latest",
        "CONTAINER_IMAGE",
        "REGION-docker.pkg.dev/PROJECT_ID/app:latest",
        "app: 1.0",
        "app:",
        "app@sha256:not-hex",
        f"@{DIGEST}",
        "registry:port/app",
    ],
)
def test_placeholders_and_garbage_are_not_references(reference):
    assert parse_image(reference) is None
