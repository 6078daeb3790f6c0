"""Objects that point at other objects: by labels (Service, PodDisruptionBudget,
NetworkPolicy) or by name (HPA, StatefulSet, Ingress).

A reference that resolves to nothing is silent in the cluster: the Service has
no endpoints, the PDB protects nothing, the HPA reports an error event. These
checks see the whole run (linted files plus `--context`). A "missing target" is
reported only where the run holds candidates of that kind and namespace in a
related directory (`RunIndex`), and only when one of them looks like the
intended target (`nearness`): linting one file alone, or a file whose target
lives in another repository, says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from k8slint.checks.api import CheckContext, check
from k8slint.kube.index import PodTemplate, RunIndex, namespace_of, pod_template, spec_of
from k8slint.kube.kinds import get_path
from k8slint.kube.labels import Selector, parse_label_selector, parse_map_selector
from k8slint.kube.nearness import closest
from k8slint.kube.network_policy import peer_namespace, peers
from k8slint.kube.openapi import format_version, type_schema
from k8slint.kube.replicas import most_replicas
from k8slint.kube.resolution import (
    application_of,
    listing,
    missing_name,
    unselected,
)
from k8slint.model import JsonPath, Problem, Resource, format_path

SCALABLE_KINDS = ("Deployment", "StatefulSet", "ReplicaSet")
_INGRESS_GROUPS = frozenset({"networking.k8s.io", "extensions"})
_PORT_NAME = re.compile(r"^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")
"""IANA_SVC_NAME, what a named targetPort must be (anything else is a template
placeholder or invalid, and not this rule's business)."""

Found = Iterator[tuple[Resource, Problem]]


def _core_services(
    index: RunIndex, namespace: str, near: Resource | None = None, name: str | None = None
) -> list[Resource]:
    """Core v1 Services (a Knative `Service` is another kind with the same name)."""
    if name is not None:
        found = index.named(namespace, "Service", name, near=near)
    else:
        found = index.in_namespace(namespace, "Service", near=near)
    return [svc for svc in found if svc.api_group == ""]


def _is_core(resource: Resource) -> bool:
    return resource.api_group == ""


def _names(resources: list[Resource]) -> list[str]:
    return sorted({r.name for r in resources if r.name})


def _selects_no_template(
    index: RunIndex, owner: Resource, selector: Selector, fix: str
) -> Problem | None:
    """A Problem when `selector` selects no pod template, by the shared policy
    (`resolution.unselected`)."""
    found = unselected(index, owner, selector)
    if found is None:
        return None
    return Problem(
        found.path, f"{owner.kind} {owner.name} selects {selector.describe()}; {found.text}; {fix}"
    )


@check(scope="run", per_component=True)
def service_selector_no_match(index: RunIndex, context: CheckContext) -> Found:
    for service in index.of_kind("Service"):
        selector = _service_selector(service)
        if selector is None:
            continue
        problem = _selects_no_template(
            index,
            service,
            selector,
            "the Service gets no endpoints and its traffic goes nowhere; "
            "make spec.selector match the pod template labels",
        )
        if problem:
            yield service, problem


def _service_selector(service: Resource) -> Selector | None:
    """The selector of a core Service that routes to pods; None for ExternalName or none."""
    spec = spec_of(service)
    if service.api_group != "" or spec.get("type") == "ExternalName":
        return None
    selector = parse_map_selector(spec.get("selector"), ("spec", "selector"))
    return None if selector.selects_nothing else selector


@check(scope="run", per_component=True)
def pdb_selector_no_match(index: RunIndex, context: CheckContext) -> Found:
    for pdb in index.of_kind("PodDisruptionBudget"):
        problem = _pdb_problem(index, pdb) if pdb.api_group == "policy" else None
        if problem:
            yield pdb, problem


def _pdb_problem(index: RunIndex, pdb: Resource) -> Problem | None:
    data = spec_of(pdb).get("selector")
    selector = parse_label_selector(data, ("spec", "selector"))
    if selector.selects_everything and pdb.api_version == "policy/v1beta1":
        selector = Selector(selects_nothing=True)  # v1beta1: an empty selector selects no pods
    if not selector.selects_nothing:
        return _selects_no_template(
            index,
            pdb,
            selector,
            "it protects no pods from voluntary disruption; make spec.selector match the "
            "labels of the workload it should protect",
        )
    if not application_of(index, pdb).pod_templates(namespace_of(pdb)):
        return None
    return Problem(
        ("spec", "selector") if data is not None else ("spec",),
        f"PodDisruptionBudget {pdb.name} has no usable spec.selector, so it selects no pods "
        "and protects nothing; select the pod template labels of the workload to protect",
    )


@check(scope="run", per_component=True)
def network_policy_selector_no_match(index: RunIndex, context: CheckContext) -> Found:
    for policy in index.of_kind("NetworkPolicy"):
        if policy.api_group != "networking.k8s.io":
            continue
        data = spec_of(policy).get("podSelector")
        if not isinstance(data, dict):
            continue
        selector = parse_label_selector(data, ("spec", "podSelector"))
        if selector.selects_everything:
            continue  # `{}` is the documented "every pod in the namespace"
        problem = _selects_no_template(
            index,
            policy,
            selector,
            "the policy applies to no pod (and isolates nothing); make spec.podSelector match "
            "the pod template labels",
        )
        if problem:
            yield policy, problem


@check(scope="run", per_component=True)
def network_policy_peer_no_match(index: RunIndex, context: CheckContext) -> Found:
    for policy in index.of_kind("NetworkPolicy"):
        if policy.api_group != "networking.k8s.io":
            continue
        for path, peer, direction in peers(spec_of(policy)):
            problem = _peer_problem(index, policy, path, peer, direction)
            if problem:
                yield policy, problem


def _peer_problem(
    index: RunIndex, policy: Resource, path: JsonPath, peer: dict[str, Any], direction: str
) -> Problem | None:
    namespace = peer_namespace(policy, peer)
    if namespace is None:
        return None
    selector = parse_label_selector(peer["podSelector"], (*path, "podSelector"))
    found = unselected(
        index,
        policy,
        selector,
        namespace,
        "select its namespace with a namespaceSelector (kubernetes.io/metadata.name)",
        for_own_pods=False,
    )
    if found is None:
        return None
    allows = "admits traffic from" if direction == "ingress" else "allows traffic to"
    return Problem(
        found.path,
        f"NetworkPolicy {policy.name} {direction} peer selects pods {selector.describe()}; "
        f"{found.text}; this rule {allows} no pod; make the peer's podSelector match the pod "
        "template labels",
    )


@check(scope="run", per_component=True)
def service_target_port_unknown(index: RunIndex, context: CheckContext) -> Found:
    for service in index.of_kind("Service"):
        selector = _service_selector(service)
        if selector is None or not selector.valid:
            continue
        selected = [
            template
            for template in index.selected(namespace_of(service), selector, near=service)
            if not index.alternatives(service, template.resource)
        ]
        if not selected:
            continue
        ports = spec_of(service).get("ports")
        for position, port in enumerate(ports if isinstance(ports, list) else ()):
            target = port.get("targetPort") if isinstance(port, dict) else None
            if not isinstance(target, str) or not _PORT_NAME.match(target):
                continue
            lacking = [t for t in selected if target not in t.port_names()]
            if lacking:
                yield service, _port_missing(target, position, lacking)


def _port_missing(target: str, position: int, lacking: list[PodTemplate]) -> Problem:
    described = "; ".join(
        f"{t.title} names {', '.join(sorted(t.port_names())) or 'no ports'}" for t in lacking
    )
    return Problem(
        ("spec", "ports", position, "targetPort"),
        f"targetPort {target} is not the name of a container port in the pods this Service "
        f"selects ({described}); those pods get no traffic on this port; name the container "
        "port so, or use the existing port's name or number",
    )


def _scale_target(hpa: Resource) -> tuple[str, str] | None:
    ref = spec_of(hpa).get("scaleTargetRef")
    if not isinstance(ref, dict):
        return None
    kind, name = ref.get("kind"), ref.get("name")
    if isinstance(kind, str) and isinstance(name, str):
        return kind, name
    return None


def _hpas(index: RunIndex) -> Iterator[tuple[Resource, str, str]]:
    for hpa in index.of_kind("HorizontalPodAutoscaler"):
        target = _scale_target(hpa) if hpa.api_group == "autoscaling" else None
        if target:
            yield hpa, *target


@check(scope="run", per_component=True)
def hpa_target_missing(index: RunIndex, context: CheckContext) -> Found:
    for hpa, kind, name in _hpas(index):
        problem = _hpa_target_problem(index, hpa, kind, name)
        if problem:
            yield hpa, problem


def _hpa_target_problem(index: RunIndex, hpa: Resource, kind: str, name: str) -> Problem | None:
    """By the shared policy, with the scalable workloads of any kind as candidates:
    the right name under the wrong kind is a kind to fix."""
    namespace = namespace_of(hpa)
    if index.named(namespace, kind, name):
        return None
    app = application_of(index, hpa)
    candidates = app.related(namespace, *dict.fromkeys((kind, *SCALABLE_KINDS)))
    same_name = [r for r in candidates if r.name == name]
    path: JsonPath = ("spec", "scaleTargetRef", "name")
    if same_name:
        path = ("spec", "scaleTargetRef", "kind")
        text: str | None = (
            f"namespace {namespace} holds no {kind} {name} "
            f"({same_name[0].kind} {name} exists: fix the kind)"
        )
    else:
        text = missing_name(index, hpa, kind, name)
        held = sorted(f"{r.kind} {r.name}" for r in candidates if app.holds(r) and r.name)
        if text is None and held:
            text = f"namespace {namespace} holds no {kind} {name} (it holds {listing(held)})"
    if text is None:
        return None
    return Problem(
        path,
        f"scaleTargetRef names {kind} {name}, but {text}; the HPA scales nothing; "
        "name the workload to scale",
    )


@check(scope="run", per_component=True)
def hpa_replicas_conflict(index: RunIndex, context: CheckContext) -> Found:
    scaled_by: dict[int, tuple[Resource, list[str]]] = {}
    for hpa, kind, name in _hpas(index):
        for target in index.named(namespace_of(hpa), kind, name, near=hpa):
            if "replicas" in spec_of(target):
                scaled_by.setdefault(id(target), (target, []))[1].append(hpa.name or "")
    for target, hpas in scaled_by.values():
        scaler = (
            f"HorizontalPodAutoscaler {hpas[0]} scales"
            if len(hpas) == 1
            else f"HorizontalPodAutoscalers {', '.join(sorted(hpas))} scale"
        )
        yield (
            target,
            Problem(
                ("spec", "replicas"),
                f"spec.replicas is set while {scaler} this {target.kind}: every apply resets the "
                "replica count the HPA chose; remove spec.replicas and let the HPA's "
                "minReplicas/maxReplicas decide",
            ),
        )


def _service_name_required(context: CheckContext) -> bool:
    """From the schema: serviceName is required before Kubernetes 1.33."""
    schema = type_schema(context.kubernetes_version, "statefulsetspec-apps-v1")
    return "serviceName" in schema.get("required", ())


@check(scope="run", per_component=True)
def statefulset_service_missing(index: RunIndex, context: CheckContext) -> Found:
    for statefulset in index.of_kind("StatefulSet"):
        template = pod_template(statefulset)
        if statefulset.api_group != "apps" or template is None or not template.complete:
            continue  # a fragment (Kustomize patch) says nothing about serviceName
        name = spec_of(statefulset).get("serviceName")
        if not name:
            problem = _no_service_name(context)
            if problem.severity is None:  # the API rejects it: that weight does not depend on use
                yield statefulset, Problem(("spec", "serviceName"), problem.message)
                continue
        elif isinstance(name, str):
            problem = _governing_service_problem(index, template, name)
        else:
            continue
        if problem is None:
            continue
        # What is lost is the per-pod DNS names: the peers of a clustered application
        # find each other by them, while one pod is still reached through any Service.
        replicas = most_replicas(index, statefulset)
        if replicas is not None and replicas <= 1:
            problem = Problem(
                ("spec", "serviceName"),
                f"{problem.message}; with one replica only the pod's own DNS name is missing, "
                "and a Service still reaches the pod: it matters once the StatefulSet scales "
                "out, or to clients that address the pod by name",
                severity="info",
            )
        else:
            count = f"{replicas} replicas" if replicas else "several replicas"
            problem = Problem(
                ("spec", "serviceName"),
                f"{problem.message}; with {count}, peers that find each other by per-pod DNS "
                "names (as clustered databases and brokers do) cannot",
                problem.severity,
            )
        yield statefulset, problem


def _no_service_name(context: CheckContext) -> Problem:
    if _service_name_required(context):
        return Problem(
            ("spec",),
            "spec.serviceName is missing; the API requires it before Kubernetes 1.33 (the "
            f"target is {format_version(context.kubernetes_version)}); name the headless "
            "Service (clusterIP: None) that gives the pods their DNS identity",
        )
    return Problem(
        ("spec",),
        "spec.serviceName is missing: the pods get no stable DNS identity "
        "(pod-0.<service>.<namespace>.svc); name a headless Service (clusterIP: None)",
        severity="warning",
    )


def _governing_service_problem(index: RunIndex, template: PodTemplate, name: str) -> Problem | None:
    statefulset = template.resource
    namespace = namespace_of(statefulset)
    path = ("spec", "serviceName")
    named = _core_services(index, namespace, near=statefulset, name=name)
    if named:
        if spec_of(named[0]).get("clusterIP") == "None":
            return None
        return Problem(
            path,
            f"Service {name} is not headless (it has no clusterIP: None), so it publishes no "
            "per-pod DNS records and the StatefulSet's pods get no stable identity; set "
            f"clusterIP: None on Service {name} (or add a headless Service for the StatefulSet)",
        )
    if _core_services(index, namespace, name=name):
        return None  # it exists, in a directory we cannot tie to this one
    services = _core_services(index, namespace, near=statefulset)
    selecting = [svc for svc in services if _selects(svc, template)]
    nearest = closest(name, _names(services)) or next(iter(_names(selecting)), None)
    if nearest is None:
        return None
    return Problem(
        path,
        f"serviceName {name} names no Service in namespace {namespace} (nearest: Service "
        f"{nearest}); the pods get no stable DNS identity; name the headless Service that "
        "selects them",
    )


def _selects(service: Resource, template: PodTemplate) -> bool:
    selector = _service_selector(service)
    return selector is not None and selector.matches(template.labels, template.added_labels)


@check(scope="run", per_component=True)
def ingress_backend_missing(index: RunIndex, context: CheckContext) -> Found:
    for ingress in index.of_kind("Ingress"):
        if ingress.api_group not in _INGRESS_GROUPS:
            continue
        for path, backend in _backends(spec_of(ingress)):
            problem = _backend_problem(index, ingress, path, backend)
            if problem:
                yield ingress, problem


def _backends(spec: dict[str, Any]) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    for key in ("defaultBackend", "backend"):
        if isinstance(spec.get(key), dict):
            yield ("spec", key), spec[key]
    rules = spec.get("rules")
    for r, rule in enumerate(rules if isinstance(rules, list) else ()):
        paths = get_path(rule, ("http", "paths"))
        for p, item in enumerate(paths if isinstance(paths, list) else ()):
            backend = item.get("backend") if isinstance(item, dict) else None
            if isinstance(backend, dict):
                yield ("spec", "rules", r, "http", "paths", p, "backend"), backend


def _backend_problem(
    index: RunIndex, ingress: Resource, path: JsonPath, backend: dict[str, Any]
) -> Problem | None:
    """networking.k8s.io/v1 `service: {name, port: {number|name}}` or v1beta1
    `serviceName` / `servicePort`; a `resource` backend is not a Service."""
    service = backend.get("service")
    if isinstance(service, dict):
        name, name_path = service.get("name"), (*path, "service", "name")
        port = service.get("port") if isinstance(service.get("port"), dict) else {}
        port_key = "number" if "number" in port else "name"
        wanted, port_path = port.get(port_key), (*path, "service", "port", port_key)
    else:
        name, name_path = backend.get("serviceName"), (*path, "serviceName")
        wanted, port_path = backend.get("servicePort"), (*path, "servicePort")
    if not isinstance(name, str):
        return None
    namespace = namespace_of(ingress)
    named = _core_services(index, namespace, near=ingress, name=name)
    if not named:
        missing = missing_name(index, ingress, "Service", name, _is_core)
        if missing is None:
            return None
        return Problem(
            name_path,
            f"backend Service {name} does not resolve: {missing}; requests routed here fail "
            "(503); fix the name or add the Service",
        )
    target = named[0]
    if wanted is None or spec_of(target).get("type") == "ExternalName":
        return None
    ports = spec_of(target).get("ports")
    ports = [p for p in ports if isinstance(p, dict)] if isinstance(ports, list) else []
    field = "port" if isinstance(wanted, int) else "name"
    if any(p.get(field) == wanted for p in ports):
        return None
    offered = ", ".join(
        f"{p.get('port')} ({p['name']})" if p.get("name") else str(p.get("port")) for p in ports
    )
    return Problem(
        port_path,
        f"Service {name} has no port {wanted} (its ports: {offered or 'none'}); "
        f"the Ingress cannot route {format_path(path)} to it; use one of the Service's ports",
    )
