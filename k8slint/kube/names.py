"""The name and key syntaxes of the Kubernetes API (apimachinery's
pkg/util/validation/validation.go), each returning why a value is rejected.

Every function returns None for a valid value, else the constraint in words,
so a finding can state both the rule and the value. The syntaxes are the
server's, not a style: an object whose name or label breaks one is refused.
"""

from __future__ import annotations

import re

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_ENV_VAR_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_CONFIG_MAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_RELAXED_ENV_VAR_NAME = re.compile(r"[ -<>-~]+")
"""Printable ASCII (32 to 126) but '=' (61), at least one character."""

DNS1123_LABEL = (
    "an RFC 1123 label: at most 63 characters, lowercase letters, digits and '-', "
    "starting and ending with a letter or digit"
)
DNS1123_SUBDOMAIN = (
    "an RFC 1123 subdomain: at most 253 characters, lowercase letters, digits, '-' and "
    "'.', each dot-separated part starting and ending with a letter or digit"
)


def dns1123_label(value: str) -> str | None:
    """IsDNS1123Label."""
    if len(value) > 63 or not _DNS1123_LABEL.match(value):
        return f"must be {DNS1123_LABEL}"
    return None


def dns1123_subdomain(value: str) -> str | None:
    """IsDNS1123Subdomain."""
    if len(value) > 253 or not _DNS1123_SUBDOMAIN.match(value):
        return f"must be {DNS1123_SUBDOMAIN}"
    return None


def qualified_name(value: str) -> str | None:
    """IsQualifiedName: label and annotation keys, `[prefix/]name`, the prefix a
    DNS subdomain, the name at most 63 alphanumerics, '-', '_' or '.' inside."""
    prefix, slash, name = value.rpartition("/")
    if slash and value.count("/") > 1:
        return "must be a name with at most one '/' (an optional DNS-subdomain prefix)"
    if slash:
        if not prefix:
            return "must not have an empty prefix before '/'"
        if dns1123_subdomain(prefix):
            return f"must have a prefix (before '/') that is {DNS1123_SUBDOMAIN}"
    if not name:
        return "must have a name part (after any '/')"
    if len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return (
            "must have a name part (after any '/') of at most 63 characters: letters, "
            "digits, '-', '_' or '.', starting and ending with a letter or digit"
        )
    return None


def label_value(value: str) -> str | None:
    """IsValidLabelValue: empty, or at most 63 characters of the name-part syntax."""
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        return (
            "must be empty or at most 63 characters: letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit"
        )
    return None


def port_name(value: str) -> str | None:
    """IsValidPortName: an IANA service name (RFC 6335 section 5.1)."""
    if len(value) > 15:
        return "must be an IANA service name of at most 15 characters"
    if not _PORT_NAME_CHARS.match(value):
        return "must be an IANA service name: lowercase letters, digits and '-' only"
    if "--" in value:
        return "must be an IANA service name: no two consecutive '-'"
    if value.startswith("-") or value.endswith("-"):
        return "must be an IANA service name: not starting or ending with '-'"
    if not any(char.isalpha() for char in value):
        return "must be an IANA service name: at least one letter"
    return None


def env_var_name(value: str, relaxed: bool) -> str | None:
    """IsEnvVarName, or (RelaxedEnvironmentVariableValidation, on by default from
    1.32) any printable ASCII character except '='."""
    if relaxed:
        if _RELAXED_ENV_VAR_NAME.fullmatch(value):
            return None
        return "must consist of printable ASCII characters other than '='"
    if _ENV_VAR_NAME.match(value):
        return None
    return (
        "must consist of letters, digits, '_', '-' or '.', and not start with a digit (before 1.32)"
    )


def config_map_key(value: str) -> str | None:
    """IsConfigMapKey: also the keys of Secrets."""
    if len(value) > 253 or not _CONFIG_MAP_KEY.match(value):
        return "must be at most 253 characters: letters, digits, '-', '_' or '.'"
    if value in (".", ".."):
        return "must not be '.' or '..'"
    return None


def path_segment_name(value: str) -> str | None:
    """path.IsValidPathSegmentName: the names of RBAC objects (`system:aggregate-to-edit`
    is one), which only must not break a URL path."""
    if value in (".", ".."):
        return "may not be '.' or '..'"
    if "/" in value or "%" in value:
        return "may not contain '/' or '%'"
    return None
