"""Label selector semantics, checked against how Kubernetes evaluates selectors."""

from __future__ import annotations

import pytest

from k8slint.kube.labels import (
    format_labels,
    intersects,
    labels_of,
    parse_label_selector,
    parse_map_selector,
)


def sel(data):
    return parse_label_selector(data, ("spec", "selector"))


def expr(key, operator, *values):
    item = {"key": key, "operator": operator}
    if values:
        item["values"] = list(values)
    return item


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({"matchLabels": {"app": "web"}}, {"app": "web", "tier": "x"}, True),
        ({"matchLabels": {"app": "web"}}, {"app": "api"}, False),
        ({"matchLabels": {"app": "web"}}, {}, False),
        ({"matchExpressions": [expr("tier", "In", "a", "b")]}, {"tier": "b"}, True),
        ({"matchExpressions": [expr("tier", "In", "a")]}, {}, False),
        # NotIn matches a missing key (labels.Requirement: !ls.Has(key) -> true)
        ({"matchExpressions": [expr("tier", "NotIn", "a")]}, {}, True),
        ({"matchExpressions": [expr("tier", "NotIn", "a")]}, {"tier": "a"}, False),
        ({"matchExpressions": [expr("tier", "NotIn", "a")]}, {"tier": "b"}, True),
        ({"matchExpressions": [expr("tier", "Exists")]}, {"tier": ""}, True),
        ({"matchExpressions": [expr("tier", "Exists")]}, {}, False),
        ({"matchExpressions": [expr("tier", "DoesNotExist")]}, {}, True),
        ({"matchExpressions": [expr("tier", "DoesNotExist")]}, {"tier": "a"}, False),
        # matchLabels and matchExpressions are ANDed
        (
            {"matchLabels": {"app": "web"}, "matchExpressions": [expr("tier", "In", "a")]},
            {"app": "web", "tier": "b"},
            False,
        ),
        # the empty selector selects everything; a value compared as Kubernetes reads it
        ({}, {"anything": "x"}, True),
        ({"matchLabels": {}}, {}, True),
        ({"matchLabels": {"enabled": True}}, labels_of({"labels": {"enabled": "true"}}), True),
    ],
)
def test_label_selector_matches(selector, labels, expected):
    assert sel(selector).matches(labels) is expected


def test_absent_selector_selects_nothing():
    assert not sel(None).matches({"app": "web"})
    assert sel(None).selects_nothing


def test_map_selector():
    selector = parse_map_selector({"app": "web", "tier": "fe"}, ("spec", "selector"))
    assert selector.matches({"app": "web", "tier": "fe", "x": "y"})
    assert not selector.matches({"app": "web"})
    assert [t.path for t in selector.failing({"app": "web"})] == [("spec", "selector", "tier")]
    # a Service without selector (or with an empty one) selects no pods
    assert parse_map_selector({}, ()).selects_nothing
    assert parse_map_selector(None, ()).selects_nothing


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (expr("tier", "Exists", "a"), "takes no values"),
        (expr("tier", "DoesNotExist", "a"), "takes no values"),
        (expr("tier", "In"), "needs at least one value"),
        (expr("tier", "NotIn"), "needs at least one value"),
        (expr("tier", "in", "a"), "case matters"),
        (expr("tier", "Gt", "1"), "not a label selector operator"),
        ({"operator": "Exists"}, "needs a key"),
        ("tier", "must be a mapping"),
    ],
)
def test_invalid_expressions_are_errors_not_terms(expression, message):
    selector = sel({"matchLabels": {"app": "web"}, "matchExpressions": [expression]})
    assert not selector.valid
    ((path, error),) = selector.errors
    assert path == ("spec", "selector", "matchExpressions", 0)
    assert message in error
    assert [t.key for t in selector.requirements] == ["app"]


def test_failing_terms_point_at_their_paths():
    selector = sel(
        {"matchLabels": {"app": "web", "tier": "fe"}, "matchExpressions": [expr("x", "Exists")]}
    )
    paths = [t.path for t in selector.failing({"app": "web"})]
    assert paths == [
        ("spec", "selector", "matchLabels", "tier"),
        ("spec", "selector", "matchExpressions", 0),
    ]


def test_wildcard_labels_are_present_with_unknown_value():
    selector = sel({"matchLabels": {"statefulset.kubernetes.io/pod-name": "db-0"}})
    wildcard = frozenset({"statefulset.kubernetes.io/pod-name"})
    assert selector.matches({"app": "db"}, wildcard)
    assert not selector.matches({"app": "db"})
    absent = sel({"matchExpressions": [expr("pod-template-hash", "DoesNotExist")]})
    assert not absent.matches({}, frozenset({"pod-template-hash"}))


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ({"matchLabels": {"app": "a"}}, {"matchLabels": {"app": "a", "tier": "x"}}, True),
        ({"matchLabels": {"app": "a"}}, {"matchLabels": {"app": "b"}}, False),
        # different keys: a pod carrying both would be selected by both
        ({"matchLabels": {"app": "a"}}, {"matchLabels": {"tier": "x"}}, True),
        ({"matchLabels": {"app": "a"}}, {"matchExpressions": [expr("app", "NotIn", "a")]}, False),
        ({"matchLabels": {"app": "a"}}, {"matchExpressions": [expr("app", "NotIn", "b")]}, True),
        ({"matchLabels": {"app": "a"}}, {"matchExpressions": [expr("app", "DoesNotExist")]}, False),
        (
            {"matchExpressions": [expr("app", "In", "a", "b")]},
            {"matchExpressions": [expr("app", "In", "b", "c")]},
            True,
        ),
        (
            {"matchExpressions": [expr("app", "In", "a", "b")]},
            {"matchExpressions": [expr("app", "In", "c"), expr("x", "Exists")]},
            False,
        ),
        # In a,b minus NotIn a,b leaves no value
        (
            {"matchExpressions": [expr("app", "In", "a", "b")]},
            {"matchExpressions": [expr("app", "NotIn", "a", "b")]},
            False,
        ),
        # Exists with NotIn: infinitely many other values remain
        (
            {"matchExpressions": [expr("app", "Exists")]},
            {"matchExpressions": [expr("app", "NotIn", "a")]},
            True,
        ),
        # NotIn and DoesNotExist are both satisfied by an absent key
        (
            {"matchExpressions": [expr("app", "DoesNotExist")]},
            {"matchExpressions": [expr("app", "NotIn", "a")]},
            True,
        ),
        ({}, {"matchLabels": {"app": "a"}}, True),
        (None, {"matchLabels": {"app": "a"}}, False),
    ],
)
def test_intersects(first, second, expected):
    assert intersects(sel(first), sel(second)) is expected
    assert intersects(sel(second), sel(first)) is expected


def test_describe_and_format():
    selector = sel(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [expr("tier", "In", "b", "a"), expr("x", "DoesNotExist")],
        }
    )
    assert selector.describe() == "app=web,tier in (a,b),!x"
    assert sel({}).describe() == "everything"
    assert format_labels({"app": "web", "tier": "front"}, ["app", "tier"]) == "app=web,tier=front"
    assert format_labels({"app": "web"}, ["app", "tier"]) == "app=web and no tier label"
    assert format_labels({}, ["app"]) == "no app label"
