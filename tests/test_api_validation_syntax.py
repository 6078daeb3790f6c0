"""The name, quantity and cron syntaxes of api-validation, as tables of valid and
invalid values (from apimachinery's validation_test.go, quantity_test.go and
robfig/cron's parser_test.go where they have cases)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from k8slint.kube import names
from k8slint.kube.cron import schedule_error
from k8slint.kube.quantity import QuantityError, parse_quantity


@pytest.mark.parametrize(
    "value", ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a", "a" * 63]
)
def test_dns1123_label_accepts(value):
    assert names.dns1123_label(value) is None


@pytest.mark.parametrize(
    "value", ["", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_",
              "a_", "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2",
              " ", "a ", " a", "a b", "1 ", " 1", "1 2", "a" * 64]
)  # fmt: skip
def test_dns1123_label_rejects(value):
    assert names.dns1123_label(value)


@pytest.mark.parametrize(
    "value", ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a",
              "a.a", "ab.a", "abc.a", "a1.a", "a-1.a", "a--1--2--b.a", "a.1", "ab.1", "abc.1",
              "a1.1", "a-1.1", "a--1--2--b.1", "0.a", "01.a", "012.a", "1a.a", "1-a.a",
              "a" * 253]
)  # fmt: skip
def test_dns1123_subdomain_accepts(value):
    assert names.dns1123_subdomain(value) is None


@pytest.mark.parametrize(
    "value", ["", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_",
              "a_", "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a..b", "1.", ".1",
              "1..2", " ", "a ", " a", "a b", "1 ", " 1", "1 2", "A.a", "aB.a", "ab.A", "A1.a",
              "a1.A", "A.1", "aB.1", "A1.1", "1A.1", "0.A", "01.A", "012.A", "1A.a", "1a.A",
              "A.B.C.D.E", "AA.BB.CC.DD.EE", "a.B.c.d.e", "aa.bB.cc.dd.ee", "a@b", "a,b",
              "a_b", "a;b", "a:b", "a%b", "a?b", "a$b", "a" * 254]
)  # fmt: skip
def test_dns1123_subdomain_rejects(value):
    assert names.dns1123_subdomain(value)


@pytest.mark.parametrize(
    "value", ["simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple",
              "now-with-dashes/simple", "now-with-dashes/now-with-dashes",
              "now.with.dots/simple", "now-with.dashes-and.dots/simple",
              "1-num.2-num/3-num", "1234/5678", "1.2.3.4/5678", "Uppercase_Is_OK_123",
              "example.com/Uppercase_Is_OK_123", "requests.storage-foo", "a" * 63,
              "a" * 253 + "/" + "b" * 63]
)  # fmt: skip
def test_qualified_name_accepts(value):
    assert names.qualified_name(value) is None


@pytest.mark.parametrize(
    "value", ["nospecialchars%^=@", "cantendwithadash-", "-cantstartwithadash-",
              "only/one/slash", "Example.com/abc", "example_com/abc", "example.com/",
              "/simple", "a" * 64, "a" * 254 + "/abc"]
)  # fmt: skip
def test_qualified_name_rejects(value):
    assert names.qualified_name(value)


@pytest.mark.parametrize(
    "value", ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234",
              "a" * 63, "", "UpperCase.and_underscores"]
)  # fmt: skip
def test_label_value_accepts(value):
    assert names.label_value(value) is None


@pytest.mark.parametrize(
    "value", ["nospecialchars%^=@", "Tama-nui-te-rā.is.Māori.sun", "\\backslashes\\are\\bad",
              "-starts-with-dash", "ends-with-dash-", ".starts.with.dot", "ends.with.dot.",
              "a" * 64]
)  # fmt: skip
def test_label_value_rejects(value):
    assert names.label_value(value)


@pytest.mark.parametrize(
    "value", ["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c-3"]
)
def test_port_name_accepts(value):
    assert names.port_name(value) is None


@pytest.mark.parametrize(
    "value", ["", "longerthan15characters", "www--http", "-www", "www-", "123", "ab_cd",
              "Telnet", "n234567890123456"]
)  # fmt: skip
def test_port_name_rejects(value):
    assert names.port_name(value)


@pytest.mark.parametrize(
    ("value", "relaxed", "valid"),
    [
        ("A", False, True),
        ("ABC", False, True),
        ("AbC_123", False, True),
        ("abc", False, True),
        ("a.b", False, True),
        ("a-b", False, True),
        ("_a", False, True),
        ("1a", False, False),
        ("a b", False, False),
        ("a=b", False, False),
        ("1a", True, True),
        ("a b", True, True),
        ("a=b", True, False),
        ("é", True, False),
    ],
)
def test_env_var_name(value, relaxed, valid):
    assert (names.env_var_name(value, relaxed) is None) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [("a", True), ("tls.crt", True), (".dockerconfigjson", True), ("a_b-c", True),
     (".", False), ("..", False), ("a/b", False), ("a b", False), ("a" * 254, False)],
)  # fmt: skip
def test_config_map_key(value, valid):
    assert (names.config_map_key(value) is None) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [("system:controller:foo", True), ("edit", True), ("a.b", True), (".", False),
     ("..", False), ("a/b", False), ("a%b", False)],
)  # fmt: skip
def test_rbac_name(value, valid):
    assert (names.path_segment_name(value) is None) is valid


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", Decimal(0)),
        ("1", Decimal(1)),
        ("100m", Decimal("0.1")),
        ("1.5", Decimal("1.5")),
        (".5", Decimal("0.5")),
        ("5.", Decimal(5)),
        ("1Ki", Decimal(1024)),
        ("1Mi", Decimal(1024**2)),
        ("1Gi", Decimal(1024**3)),
        ("1G", Decimal(10**9)),
        ("1k", Decimal(1000)),
        ("1E", Decimal(10**18)),
        ("1e3", Decimal(1000)),
        ("1E3", Decimal(1000)),
        ("1e-3", Decimal("0.001")),
        ("+1", Decimal(1)),
        ("-1", Decimal(-1)),
        ("5n", Decimal("5e-9")),
        ("5u", Decimal("5e-6")),
        (2, Decimal(2)),
        (0.25, Decimal("0.25")),
    ],
)
def test_quantity_parses(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1GB", "did you mean 1G or 1Gi?"),
        ("1g", "did you mean 1G or 1Gi?"),
        ("512mb", "did you mean 512M or 512Mi?"),
        ("1K", "did you mean 1k or 1Ki?"),
        ("100MiB", "did you mean 100Mi?"),
        ("2gi", "did you mean 2Gi?"),
        ("1 Gi", "did you mean 1Gi?"),
        ("", None),
        ("abc", None),
        ("1.2.3", None),
        ("Gi", None),
        ("1Gi ", "did you mean 1Gi?"),
        ("1e", "did you mean 1E or 1Ei?"),
        ("1.5.Gi", None),
        (True, None),
    ],
)
def test_quantity_rejects(text, hint):
    with pytest.raises(QuantityError) as error:
        parse_quantity(text)
    if hint:
        assert hint in str(error.value)
    else:
        assert "did you mean" not in str(error.value)


@pytest.mark.parametrize(
    "schedule",
    ["* * * * *", "0/1 * * * *", "*/15 * * * *", "5 4 * * sun", "0 0 1 jan-mar mon,wed",
     "0 22 * * 1-5", "? * * * ?", "0-59/10 0-23/2 1-31 1-12 0-6", "@yearly", "@annually",
     "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@every 1h30m", "@every 5s",
     "  *   *  *   *   *  "]
)  # fmt: skip
def test_cron_accepts(schedule):
    assert schedule_error(schedule) is None


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("", "empty spec string"),
        ("* * * *", "expected exactly 5 fields, found 4"),
        ("* * * * * *", "expected exactly 5 fields, found 6"),
        ("61 * * * *", "end of range (61) above maximum (59)"),
        ("* 24 * * *", "end of range (24) above maximum (23)"),
        ("* * 0 * *", "beginning of range (0) below minimum (1)"),
        ("* * * 13 *", "end of range (13) above maximum (12)"),
        ("* * * * 7", "end of range (7) above maximum (6)"),
        ("*/0 * * * *", "step of range should be a positive number"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1)"),
        ("H * * * *", "failed to parse int from H"),
        ("* * * foo *", "failed to parse int from foo"),
        ("1/2/3 * * * *", "too many slashes"),
        ("@every", "unrecognized descriptor"),
        ("@every x", "failed to parse duration"),
        ("@reboot", "unrecognized descriptor"),
    ],
)
def test_cron_rejects(schedule, message):
    error = schedule_error(schedule)
    assert error is not None and message in error


def test_bundled_schemas_list_no_enum_values():
    """Why the enumerations are tables citing upstream: the schemas kubernetes-validate
    bundles carry no "Possible enum values" in their descriptions (the OpenAPI v2
    documents they come from omit them). Should a release add them, read them instead."""
    from k8slint.kube.openapi import bundled_versions, definitions

    for version in (bundled_versions()[0], bundled_versions()[-1]):
        text = str(dict(definitions(version)))
        assert "Possible enum values" not in text
