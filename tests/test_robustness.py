"""Wrong types anywhere never crash a rule: every fixture object, mutated.

Users write `containers: web`, `ports: 8080`, `metadata: null`; the schema rule
reports those, and every other rule must step over them. Seeded, so a failure
reproduces: each case replaces a few values of a real object with values of
other types and lints it with every rule.
"""

from __future__ import annotations

import copy
import random

import pytest
from support import FIXTURES, dump_all, lint_text

from k8slint.load.discover import discover
from k8slint.load.loader import load_file

WRONG_TYPES = [None, 0, -1, 3.5, True, "x", "", "${X}", [], {}, [1, "a"], {"a": 1}]
WRONG_TYPES += [[None], [[]], [{}]]


def _paths(data, path=()):
    yield path
    if isinstance(data, dict | list):
        for key, value in data.items() if isinstance(data, dict) else enumerate(data):
            yield from _paths(value, (*path, key))


def _mutated(data, chance: random.Random):
    data = copy.deepcopy(data)
    candidates = list(_paths(data))[1:]
    for path in chance.sample(candidates, min(len(candidates), chance.randint(1, 4))):
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = copy.deepcopy(chance.choice(WRONG_TYPES))
        except (KeyError, IndexError, TypeError):
            continue  # an ancestor was replaced already
    return data


OBJECTS = [
    resource.data
    for item in discover([str(FIXTURES)]).files
    for resource in load_file(item.path or "").resources
]


@pytest.mark.parametrize("seed", range(8))
def test_mutated_objects_never_cause_an_internal_error(seed):
    chance = random.Random(seed)
    documents = [_mutated(chance.choice(OBJECTS), chance) for _ in range(250)]
    result = lint_text(dump_all(documents), name=f"mutated-{seed}.yaml")
    assert result.internal_errors == []


SYNTAX_NOISE = [b"&a ", b"*a", b"<<: *a\n", b"- ", b"\t", b"{{ x }}", b"!!binary ", b"? ", b"---\n"]
SYNTAX_NOISE += [b"\x00", b"\xff", b":", b"[", b"'"]


def _garbled(raw: bytes, chance: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(chance.randint(1, 6)):
        at = chance.randrange(len(data) + 1)
        if chance.random() < 0.5:
            data[at:at] = chance.choice(SYNTAX_NOISE)
        else:
            del data[at : at + chance.randint(1, 20)]
    return bytes(data)


@pytest.mark.parametrize("seed", range(4))
def test_garbled_files_never_cause_an_internal_error(seed):
    """Bytes broken anywhere (syntax, encoding, aliases, templates): findings, no crash."""
    from support import engine_for

    from k8slint.load.discover import InputFile

    chance = random.Random(seed)
    sources = [item.path for item in discover([str(FIXTURES)]).files if item.path]
    inputs = []
    for number in range(100):
        with open(chance.choice(sources), "rb") as handle:
            raw = handle.read()
        inputs.append(InputFile(f"garbled-{number}.yaml", data=_garbled(raw, chance)))
    result = engine_for(jobs=1).lint(inputs)
    assert result.internal_errors == []
    assert result.files == 100
