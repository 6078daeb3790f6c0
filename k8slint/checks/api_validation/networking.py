"""Ingress and NetworkPolicy as pkg/apis/networking/validation judges them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k8slint.checks.api_validation._base import Findings, is_int
from k8slint.checks.api_validation.pod import PROTOCOLS
from k8slint.checks.api_validation.selectors import check_selector
from k8slint.kube import names
from k8slint.model import JsonPath

if TYPE_CHECKING:
    import ipaddress

PATH_TYPES = ("Exact", "Prefix", "ImplementationSpecific")  # supportedPathTypes
POLICY_TYPES = ("Ingress", "Egress")
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")


def check_ingress(found: Findings, spec: dict[str, Any]) -> None:
    """ValidateIngressSpec (networking.k8s.io/v1)."""
    path: JsonPath = ("spec",)
    found.syntax(
        spec.get("ingressClassName"),
        (*path, "ingressClassName"),
        "ingressClassName",
        names.dns1123_subdomain,
    )
    if not spec.get("rules") and "defaultBackend" not in spec and not found.kustomize_input:
        found.add(path, "an Ingress needs rules or a defaultBackend")
    if "defaultBackend" in spec:
        _backend(found, found.mapping(spec, "defaultBackend"), (*path, "defaultBackend"))
    for index, rule in found.items(spec, "rules"):
        where = (*path, "rules", index)
        host = found.string(rule, "host")
        if host:
            _host(found, host, (*where, "host"))
        http = found.mapping(rule, "http")
        for number, item in found.items(http, "paths"):
            _http_path(found, item, (*where, "http", "paths", number))


def _host(found: Findings, host: str, path: JsonPath) -> None:
    """validateIngressRules: a DNS name (a leading `*.` wildcard allowed), not an IP."""
    import ipaddress  # imported by the checks that parse addresses, not at start-up

    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        found.add(path, f"host {host!r} must be a DNS name, not an IP address")
        return
    found.syntax(host.removeprefix("*."), path, "host", names.dns1123_subdomain)


def _http_path(found: Findings, item: dict[str, Any], path: JsonPath) -> None:
    """validateHTTPIngressPath: paths are absolute for every pathType; Exact and
    Prefix paths may not hold sequences that a proxy would normalise away."""
    kind = found.enum(item, "pathType", path, PATH_TYPES)
    value = found.string(item, "path")
    if value:
        if not value.startswith("/"):
            found.add((*path, "path"), f"path {value!r} must be absolute (start with '/')")
        elif kind in ("Exact", "Prefix"):
            bad = next((s for s in _INVALID_PATH_SEQUENCES if s in value), None)
            bad = bad or next((s for s in _INVALID_PATH_SUFFIXES if value.endswith(s)), None)
            if bad:
                found.add((*path, "path"), f"path {value!r} must not contain {bad!r} ({kind})")
    if "backend" in item:
        _backend(found, found.mapping(item, "backend"), (*path, "backend"))


def _backend(found: Findings, backend: dict[str, Any], path: JsonPath) -> None:
    """validateIngressBackend: a Service or a resource, and a port by name or number."""
    if "service" in backend and "resource" in backend:
        found.add((*path, "resource"), "a backend names a service or a resource, not both")
    service = found.mapping(backend, "service")
    port = found.mapping(service, "port")
    if not port:
        return
    where = (*path, "service", "port")
    if "name" in port and "number" in port:
        found.add((*where, "number"), "a backend port has a name or a number, not both")
    number = found.integer(port, "number")
    if number is not None:
        found.port_number(number, (*where, "number"), "port number")
    found.syntax(port.get("name"), (*where, "name"), "port name", names.port_name)


def check_network_policy(found: Findings, spec: dict[str, Any]) -> None:
    """ValidateNetworkPolicySpec."""
    path: JsonPath = ("spec",)
    check_selector(found, spec.get("podSelector"), (*path, "podSelector"))
    types = spec.get("policyTypes")
    if isinstance(types, list):
        for index, value in enumerate(types):
            if isinstance(value, str) and value not in POLICY_TYPES:
                found.add(
                    (*path, "policyTypes", index),
                    f"policyType {value!r} is not one of {', '.join(POLICY_TYPES)}",
                )
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for index, rule in found.items(spec, direction):
            where = (*path, direction, index)
            for number, port in found.items(rule, "ports"):
                _policy_port(found, port, (*where, "ports", number))
            for number, peer in found.items(rule, peers):
                _peer(found, peer, (*where, peers, number))


def _policy_port(found: Findings, port: dict[str, Any], path: JsonPath) -> None:
    found.enum(port, "protocol", path, PROTOCOLS)
    value = port.get("port")
    if is_int(value):
        found.port_number(value, (*path, "port"), "port")
    elif isinstance(value, str):
        found.syntax(value, (*path, "port"), "port name", names.port_name)
    end = found.integer(port, "endPort")
    if end is None:
        return
    if not is_int(value):
        found.add((*path, "endPort"), "endPort may be set only with a numeric port")
    elif end < value:
        found.add((*path, "endPort"), f"endPort {end} must not be less than port {value}")


def _peer(found: Findings, peer: dict[str, Any], path: JsonPath) -> None:
    """ValidateNetworkPolicyPeer and ValidateIPBlock."""
    for key in ("podSelector", "namespaceSelector"):
        check_selector(found, peer.get(key), (*path, key))
    if "ipBlock" not in peer:
        return
    if "podSelector" in peer or "namespaceSelector" in peer:
        found.add(
            (*path, "ipBlock"),
            "a peer with ipBlock may not also set podSelector or namespaceSelector",
        )
    block = found.mapping(peer, "ipBlock")
    cidr_text = found.string(block, "cidr")
    if cidr_text is None:
        return
    where = (*path, "ipBlock")
    cidr = _network(cidr_text)
    if cidr is None:
        found.add((*where, "cidr"), f"cidr {cidr_text!r} is not a CIDR such as 10.0.0.0/16")
        return
    excepts = block.get("except")
    if not isinstance(excepts, list):
        return
    for index, text in enumerate(excepts):
        if not isinstance(text, str):
            continue
        inner = _network(text)
        if inner is None:
            found.add((*where, "except", index), f"except {text!r} is not a CIDR")
        elif (
            inner.version != cidr.version
            or not cidr.supernet_of(inner)  # type: ignore[arg-type]
            or inner.prefixlen <= cidr.prefixlen
        ):
            found.add(
                (*where, "except", index),
                f"except {text!r} must be a strict subset of cidr {cidr_text!r}",
            )


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """netutils.ParseCIDRSloppy: host bits may be set (10.0.0.1/24 means 10.0.0.0/24)."""
    import ipaddress  # imported by the checks that parse addresses, not at start-up

    if "/" not in text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
