"""Services as ValidateService (pkg/apis/core/validation) judges them."""

from __future__ import annotations

from typing import Any

from k8slint.checks.api_validation._base import Findings, is_int, is_placeholder
from k8slint.checks.api_validation.pod import PROTOCOLS
from k8slint.kube import names

TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")  # supportedServiceType
SESSION_AFFINITY = ("ClientIP", "None")  # supportedSessionAffinityType
TRAFFIC_POLICIES = ("Cluster", "Local")  # validateServiceExternalTrafficPolicy, ...Internal...
IP_FAMILY_POLICIES = ("SingleStack", "PreferDualStack", "RequireDualStack")
IP_FAMILIES = ("IPv4", "IPv6")
TRAFFIC_DISTRIBUTION = ("PreferClose",)
TRAFFIC_DISTRIBUTION_1_34 = ("PreferClose", "PreferSameZone", "PreferSameNode")
"""validateServiceTrafficDistribution: PreferSameZone and PreferSameNode came with
the PreferSameTrafficDistribution feature gate, alpha in 1.33, on by default from 1.34."""
NODE_PORTS = range(30000, 32768)
"""The API server's default --service-node-port-range (30000-32767)."""


def check_service(found: Findings, spec: dict[str, Any]) -> None:
    import ipaddress  # imported by the checks that parse addresses, not at start-up

    path = ("spec",)
    kind = found.enum(spec, "type", path, TYPES, "Service type")
    found.enum(spec, "sessionAffinity", path, SESSION_AFFINITY)
    found.enum(spec, "externalTrafficPolicy", path, TRAFFIC_POLICIES)
    found.enum(spec, "internalTrafficPolicy", path, TRAFFIC_POLICIES)
    found.enum(spec, "ipFamilyPolicy", path, IP_FAMILY_POLICIES)
    distributions = TRAFFIC_DISTRIBUTION_1_34 if found.version >= (1, 34) else TRAFFIC_DISTRIBUTION
    found.enum(spec, "trafficDistribution", path, distributions)
    families = spec.get("ipFamilies")
    if isinstance(families, list):
        for index, family in enumerate(families):
            if isinstance(family, str) and family not in IP_FAMILIES:
                found.add(
                    (*path, "ipFamilies", index),
                    f"ipFamily {family!r} is not one of {', '.join(IP_FAMILIES)}",
                )
    cluster_ip = found.string(spec, "clusterIP")
    if cluster_ip and cluster_ip != "None" and kind != "ExternalName":
        try:
            ipaddress.ip_address(cluster_ip)
        except ValueError:
            found.add(
                (*path, "clusterIP"),
                f"clusterIP {cluster_ip!r} must be None, empty or an IP address",
            )
    if kind == "ExternalName":
        _external_name(found, spec)
    # An unknown or placeholder type: its own finding (or none); the checks that
    # depend on the type are not guessed. An absent one is the default, ClusterIP.
    kind = kind or ("ClusterIP" if spec.get("type") is None else "")
    _addresses(found, spec, kind)
    _ports(found, spec, kind, cluster_ip == "None")


def _addresses(found: Findings, spec: dict[str, Any], kind: str) -> None:
    """ValidateService: externalIPs are IP addresses; loadBalancerSourceRanges CIDRs;
    those and loadBalancerClass only on a LoadBalancer."""
    import ipaddress  # imported by the checks that parse addresses, not at start-up

    for key, parse, what in (
        ("externalIPs", ipaddress.ip_address, "an IP address"),
        ("loadBalancerSourceRanges", _cidr, "a CIDR such as 10.0.0.0/8"),
    ):
        values = spec.get(key)
        for index, value in enumerate(values if isinstance(values, list) else ()):
            if not isinstance(value, str) or is_placeholder(value):
                continue
            try:
                parse(value.strip())
            except ValueError:
                found.add(("spec", key, index), f"{key} entry {value!r} is not {what}")
    if not kind or kind == "LoadBalancer":
        return
    for key in ("loadBalancerSourceRanges", "loadBalancerClass"):
        if spec.get(key):
            found.add(("spec", key), f"{key} may be set only on a LoadBalancer Service, not {kind}")


def _cidr(text: str) -> object:
    import ipaddress  # imported by the checks that parse addresses, not at start-up

    if "/" not in text:
        raise ValueError(text)
    return ipaddress.ip_network(text, strict=False)


def _external_name(found: Findings, spec: dict[str, Any]) -> None:
    """An ExternalName Service is a DNS CNAME: externalName is required, a DNS name."""
    name = spec.get("externalName")
    if name is None:
        if not found.kustomize_input:
            found.add(("spec", "type"), "a Service of type ExternalName requires spec.externalName")
    elif isinstance(name, str):
        found.syntax(
            name.removesuffix("."),
            ("spec", "externalName"),
            "externalName",
            names.dns1123_subdomain,
        )


def _ports(found: Findings, spec: dict[str, Any], kind: str, headless: bool) -> None:
    """validateServicePort and ValidateService's checks across the ports."""
    ports = list(found.items(spec, "ports"))
    if (
        spec.get("ports") in (None, [])
        and kind not in ("", "ExternalName")
        and not headless
        and not found.kustomize_input
    ):
        found.add(("spec",), f"a Service of type {kind} (not headless) requires at least one port")
    seen_names: set[str] = set()
    seen_ports: set[tuple[int, str]] = set()
    for index, port in ports:
        where = ("spec", "ports", index)
        name = port.get("name")
        if isinstance(name, str) and name:
            found.syntax(name, (*where, "name"), "Service port name", names.dns1123_label)
            if name in seen_names:
                found.add((*where, "name"), f"Service port name {name!r} is used twice")
            seen_names.add(name)
        elif len(ports) > 1 and name in (None, ""):
            found.add(where, "a Service with more than one port must name each of them")
        number = found.integer(port, "port")
        if number is not None:
            found.port_number(number, (*where, "port"), "port")
        found.enum(port, "protocol", where, PROTOCOLS)
        if number is not None:
            pair = (number, found.string(port, "protocol") or "TCP")
            if pair in seen_ports:
                found.add((*where, "port"), f"port {number}/{pair[1]} appears twice in the Service")
            seen_ports.add(pair)
        target = port.get("targetPort")
        if is_int(target) and target != 0:
            found.port_number(target, (*where, "targetPort"), "targetPort")
        elif isinstance(target, str):
            found.syntax(target, (*where, "targetPort"), "targetPort name", names.port_name)
        _node_port(found, port, where, kind)


def _node_port(found: Findings, port: dict[str, Any], path: tuple[Any, ...], kind: str) -> None:
    node_port = found.integer(port, "nodePort")
    if not node_port:
        return
    where = (*path, "nodePort")
    if kind == "ClusterIP":
        found.add(where, "nodePort may not be set on a Service of type ClusterIP")
    elif kind in ("NodePort", "LoadBalancer") and node_port not in NODE_PORTS:
        found.add(
            where,
            f"nodePort {node_port} is outside the node port range (30000-32767 unless the "
            "cluster sets --service-node-port-range)",
        )
