"""The shipped rule and preset files, parsed once per change of their text, not on every run.

Parsing the 95 rule files and the presets as YAML was a tenth of a one-file
lint's CPU. `rules/index.json` holds their parsed data under a digest of their
text: a run reads the files (to digest them, about a millisecond) and takes
the index when the digest matches; when it does not (a rule file edited in a
checkout, the index not regenerated) it parses the files, so the rules are
always what the files say. tests/test_rule_index.py fails while the index is
stale; regenerate it with

    python -m k8slint.engine.rule_index
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from typing import Any

from k8slint.engine.registry import rules_dir

INDEX_NAME = "index.json"
FOLDERS = ("", "presets")
"""The folders of `rules_dir()` whose `*.yaml` are indexed: the rules, the presets."""


def _index_path() -> str:
    return os.path.join(rules_dir(), INDEX_NAME)


def read_texts() -> dict[str, bytes]:
    """Every rule and preset file's bytes, by its path relative to `rules_dir()`
    (`presets/<name>.yaml` for a preset), each folder's files in sorted order."""
    root = rules_dir()
    texts: dict[str, bytes] = {}
    for folder in FOLDERS:
        directory = os.path.join(root, folder)
        for name in sorted(os.listdir(directory)):
            if name.endswith(".yaml"):
                with open(os.path.join(directory, name), "rb") as handle:
                    texts[f"{folder}/{name}" if folder else name] = handle.read()
    return texts


def digest(texts: dict[str, bytes]) -> str:
    """What the index is valid for: every file's name and text."""
    hashed = hashlib.sha256()
    for name, text in texts.items():
        hashed.update(name.encode() + b"\0" + text + b"\0")
    return hashed.hexdigest()


def parse_texts(texts: dict[str, bytes]) -> dict[str, Any]:
    """Each file's first YAML document as plain data, by name (the slow path)."""
    from k8slint.load.loader import parse_yaml

    return {name: parse_yaml(text.decode("utf-8")) for name, text in texts.items()}


def _read_index() -> dict[str, Any] | None:
    try:
        with open(_index_path(), encoding="utf-8") as handle:
            index = json.load(handle)
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) else None


@functools.cache
def documents() -> dict[str, Any]:
    """The parsed data of every rule and preset file, by path relative to `rules_dir()`:
    the index's when it was made from these very texts, else parsed now."""
    texts = read_texts()
    index = _read_index()
    if index is not None and index.get("digest") == digest(texts):
        return index["documents"]
    return parse_texts(texts)


def index_data() -> dict[str, Any]:
    """What `rules/index.json` holds for the files as they are now."""
    texts = read_texts()
    return {"digest": digest(texts), "documents": parse_texts(texts)}


def write_index() -> str:
    """Regenerate `rules/index.json`; returns its path."""
    path = _index_path()
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(index_data(), handle, indent=1, ensure_ascii=False)
        handle.write("\n")
    return path


if __name__ == "__main__":
    print(f"wrote {write_index()}")
