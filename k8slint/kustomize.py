"""What a Kustomization beside a manifest does to it, as far as selectors go.

Kustomize's `commonLabels` (and `labels` with `includeSelectors: true`) add
labels to every object's labels *and selectors*, so a base Deployment without
`spec.selector` gets one at build time: judging the raw file would report a
selector that the applied object has.
"""

from __future__ import annotations

import functools
import os

from k8slint.loader import KUSTOMIZE_FILE_NAMES, YAMLError, parse_yaml


def adds_selector_labels(file: str) -> bool:
    """Whether a Kustomization beside `file` adds labels to selectors (never for
    stdin: piped `kustomize build` output is already built)."""
    return os.path.isfile(file) and _directory_adds(os.path.dirname(os.path.abspath(file)))


@functools.cache
def _directory_adds(directory: str) -> bool:
    for name in sorted(KUSTOMIZE_FILE_NAMES):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                data = parse_yaml(handle.read())
        except (OSError, ValueError, YAMLError):
            return False
        return isinstance(data, dict) and _adds(data)
    return False


def _adds(data: dict) -> bool:
    if isinstance(data.get("commonLabels"), dict) and data["commonLabels"]:
        return True
    labels = data.get("labels")
    return isinstance(labels, list) and any(
        isinstance(item, dict) and item.get("includeSelectors") is True for item in labels
    )
