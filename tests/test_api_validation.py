"""api-validation on whole objects: one table of cases per constraint, each a
valid base object with one field set, and the exact finding (or none) it gets."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml
from support import lint_text

from k8slint.model import format_path

RULE = "api-validation"


def _pod() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
    }


def _controller(api_version: str, kind: str, **spec: Any) -> dict[str, Any]:
    pod = _pod()
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": pod["metadata"] | {"name": None}, "spec": pod["spec"]},
            **spec,
        },
    }


def _job() -> dict[str, Any]:
    job = _controller("batch/v1", "Job")
    del job["spec"]["selector"]
    job["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    return job


def _cron_job() -> dict[str, Any]:
    job = _job()
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": job["spec"]}},
    }


BASES = {
    "pod": _pod,
    "deployment": lambda: _controller("apps/v1", "Deployment"),
    "statefulset": lambda: _controller("apps/v1", "StatefulSet", serviceName="web"),
    "daemonset": lambda: _controller("apps/v1", "DaemonSet"),
    "job": _job,
    "cronjob": _cron_job,
    "service": lambda: {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
    },
    "ingress": lambda: {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "web"},
        "spec": {
            "rules": [
                {
                    "host": "example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "web", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ]
        },
    },
    "netpol": lambda: {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "web"},
        "spec": {
            "podSelector": {},
            "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/16"}}], "ports": [{"port": 80}]}],
        },
    },
    "pdb": lambda: {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
    },
    "hpa": lambda: {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 3,
        },
    },
    "pvc": lambda: {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    },
    "configmap": lambda: {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings"},
        "data": {"a": "1"},
    },
    "secret": lambda: {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "token"},
        "data": {"token": "c2VjcmV0"},
    },
    "role": lambda: {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "system:reader"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
    },
    "binding": lambda: {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "reader", "namespace": "apps"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "web"}],
    },
}

POD = "spec"
TEMPLATE = "spec.template.spec"
C0 = "spec.containers[0]"

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _STEP.findall(path)]


def _set(data: Any, path: str, value: Any) -> None:
    *parents, last = _steps(path)
    for step in parents:
        if isinstance(step, int):
            while len(data) <= step:
                data.append({})
            data = data[step]
        else:
            data = data.setdefault(step, {} if not isinstance(step, int) else [])
    if value is _DELETE:
        del data[last]
    elif isinstance(last, int) and isinstance(data, list) and last == len(data):
        data.append(value)
    else:
        data[last] = value


_DELETE = object()


def _findings(obj: dict[str, Any], version: str | None = None) -> list[tuple[str, str]]:
    from k8slint.kube.openapi import parse_version

    text = yaml.safe_dump(obj, sort_keys=False)
    result = lint_text(text, [RULE], parse_version(version) if version else None)
    assert not result.internal_errors
    return [(format_path(f.path), f.message) for f in result.findings]


def _case(base: str, changes: dict[str, Any]) -> dict[str, Any]:
    obj = copy.deepcopy(BASES[base]())
    for path, value in changes.items():
        _set(obj, path, value)
    return obj


@pytest.mark.parametrize("base", sorted(BASES))
def test_valid_bases_get_nothing(base):
    assert _findings(BASES[base]()) == []


# (base, {path: value}, expected finding path or None, message fragment)
CASES = [
    # names and keys
    ("pod", {"metadata.name": "Web"}, "metadata.name", "RFC 1123 subdomain"),
    ("pod", {"metadata.name": "web.v1"}, None, ""),
    ("service", {"metadata.name": "web.v1"}, "metadata.name", "RFC 1123 label"),
    ("cronjob", {"metadata.name": "n" * 53}, "metadata.name", "no more than 52"),
    ("cronjob", {"metadata.name": "n" * 52}, None, ""),
    ("role", {"metadata.name": "a/b"}, "metadata.name", "'/'"),
    ("pod", {"metadata.namespace": "Team_A"}, "metadata.namespace", "RFC 1123 label"),
    ("pod", {"metadata.labels.app": "-web"}, "metadata.labels.app", "at most 63"),
    ("pod", {"metadata.labels": {"example.com/Role": "x"}}, None, ""),
    (
        "pod",
        {"metadata.labels": {"Example.com/role": "x"}},
        "metadata.labels.Example.com/role",
        "prefix",
    ),
    ("pod", {"metadata.annotations": {"a b": "x"}}, "metadata.annotations.a b", "annotation key"),
    ("pod", {"metadata.annotations": {"Example.COM/Note": "x"}}, None, ""),
    (
        "deployment",
        {"spec.template.metadata.labels.tier": "x" * 64},
        "spec.template.metadata.labels.tier",
        "at most 63",
    ),
    ("pod", {f"{C0}.name": "Web"}, f"{C0}.name", "container name"),
    (
        "pod",
        {f"{POD}.volumes": [{"name": "Data", "emptyDir": {}}]},
        f"{POD}.volumes[0].name",
        "volume name",
    ),
    (
        "pod",
        {f"{POD}.volumes": [{"name": "d", "emptyDir": {}}, {"name": "d", "emptyDir": {}}]},
        f"{POD}.volumes[1].name",
        "used twice",
    ),
    ("pod", {f"{POD}.volumes": [{"name": "d"}]}, None, ""),
    (
        "pod",
        {f"{POD}.volumes": [{"name": "d", "emptyDir": {}, "configMap": {"name": "c"}}]},
        f"{POD}.volumes[0].configMap",
        "more than one source",
    ),
    ("pod", {f"{C0}.env": [{"name": "1ABC", "value": "x"}]}, None, ""),
    ("pod", {f"{C0}.env": [{"name": "A=B", "value": "x"}]}, f"{C0}.env[0].name", "other than '='"),
    (
        "pod",
        {f"{POD}.serviceAccountName": "Web"},
        f"{POD}.serviceAccountName",
        "serviceAccountName",
    ),
    ("pod", {f"{POD}.serviceAccountName": ""}, None, ""),
    (
        "pod",
        {f"{POD}.nodeSelector": {"disk": "ssd fast"}},
        f"{POD}.nodeSelector.disk",
        "nodeSelector value",
    ),
    ("configmap", {"data": {"a/b": "x"}}, "data.a/b", "key 'a/b'"),
    ("configmap", {"binaryData": {"a": "eA=="}}, "binaryData.a", "both data and binaryData"),
    # ports
    (
        "pod",
        {f"{C0}.ports": [{"containerPort": 123456}]},
        f"{C0}.ports[0].containerPort",
        "between 1 and 65535",
    ),
    (
        "pod",
        {f"{C0}.ports": [{"containerPort": 80, "hostPort": 70000}]},
        f"{C0}.ports[0].hostPort",
        "between 1 and 65535",
    ),
    (
        "pod",
        {f"{C0}.ports": [{"containerPort": 80, "name": "my-very-long-port"}]},
        f"{C0}.ports[0].name",
        "15 characters",
    ),
    (
        "pod",
        {f"{C0}.ports": [{"containerPort": 80, "name": "HTTP"}]},
        f"{C0}.ports[0].name",
        "lowercase",
    ),
    (
        "pod",
        {f"{C0}.ports": [{"containerPort": 80, "name": "8080"}]},
        f"{C0}.ports[0].name",
        "at least one letter",
    ),
    ("pod", {f"{C0}.ports": [{"containerPort": 80, "name": "http-alt"}]}, None, ""),
    (
        "service",
        {"spec.ports[0].targetPort": "n234567890123456"},
        "spec.ports[0].targetPort",
        "15 characters",
    ),
    (
        "service",
        {"spec.ports[0].targetPort": 123456},
        "spec.ports[0].targetPort",
        "between 1 and 65535",
    ),
    ("service", {"spec.ports[0].targetPort": "http"}, None, ""),
    ("service", {"spec.ports[0].port": 0}, "spec.ports[0].port", "between 1 and 65535"),
    (
        "service",
        {"spec.ports[0].name": "a", "spec.ports[1]": {"port": 81}},
        "spec.ports[1]",
        "name each",
    ),
    (
        "service",
        {"spec.ports[0].name": "a", "spec.ports[1]": {"port": 81, "name": "a"}},
        "spec.ports[1].name",
        "used twice",
    ),
    (
        "service",
        {"spec.ports[0].name": "a", "spec.ports[1]": {"port": 80, "name": "b"}},
        "spec.ports[1].port",
        "80/TCP appears twice",
    ),
    (
        "service",
        {"spec.ports[0].name": "a", "spec.ports[1]": {"port": 80, "name": "b", "protocol": "UDP"}},
        None,
        "",
    ),
    ("service", {"spec.ports[0].name": "Http"}, "spec.ports[0].name", "RFC 1123 label"),
    (
        "service",
        {"spec.type": "NodePort", "spec.ports[0].nodePort": 80},
        "spec.ports[0].nodePort",
        "30000-32767",
    ),
    ("service", {"spec.type": "NodePort", "spec.ports[0].nodePort": 30080}, None, ""),
    ("service", {"spec.ports[0].nodePort": 30080}, "spec.ports[0].nodePort", "type ClusterIP"),
    ("service", {"spec.ports": _DELETE}, "spec", "at least one port"),
    ("service", {"spec.ports": _DELETE, "spec.clusterIP": "None"}, None, ""),
    ("service", {"spec.ports": []}, "spec", "at least one port"),
    ("ingress", {"spec.rules": []}, "spec", "rules or a defaultBackend"),
    (
        "ingress",
        {
            "spec.rules": _DELETE,
            "spec.defaultBackend": {"service": {"name": "w", "port": {"number": 80}}},
        },
        None,
        "",
    ),
    ("service", {"spec.clusterIP": "10.0.0.300"}, "spec.clusterIP", "IP address"),
    ("service", {"spec.externalIPs": ["1.2.3"]}, "spec.externalIPs[0]", "IP address"),
    (
        "service",
        {"spec.type": "LoadBalancer", "spec.loadBalancerSourceRanges": ["10.0.0.0/8", "10.0.0.1"]},
        "spec.loadBalancerSourceRanges[1]",
        "CIDR",
    ),
    (
        "service",
        {"spec.loadBalancerSourceRanges": ["10.0.0.0/8"]},
        "spec.loadBalancerSourceRanges",
        "only on a LoadBalancer",
    ),
    # enumerations
    ("pod", {f"{POD}.restartPolicy": "Once"}, f"{POD}.restartPolicy", "Always, OnFailure, Never"),
    (
        "pod",
        {f"{C0}.imagePullPolicy": "Sometimes"},
        f"{C0}.imagePullPolicy",
        "Always, IfNotPresent, Never",
    ),
    ("pod", {f"{C0}.imagePullPolicy": "always"}, f"{C0}.imagePullPolicy", "did you mean Always?"),
    (
        "pod",
        {f"{C0}.ports": [{"containerPort": 80, "protocol": "XTCP"}]},
        f"{C0}.ports[0].protocol",
        "TCP, UDP, SCTP",
    ),
    ("pod", {f"{C0}.terminationMessagePolicy": "Stdout"}, f"{C0}.terminationMessagePolicy", "File"),
    ("pod", {f"{POD}.dnsPolicy": "Cluster"}, f"{POD}.dnsPolicy", "ClusterFirst"),
    ("pod", {f"{POD}.dnsPolicy": "None"}, f"{POD}.dnsPolicy", "requires dnsConfig"),
    (
        "pod",
        {f"{POD}.preemptionPolicy": "Always"},
        f"{POD}.preemptionPolicy",
        "PreemptLowerPriority",
    ),
    (
        "pod",
        {f"{C0}.volumeMounts": [{"name": "d", "mountPath": "/d", "mountPropagation": "Shared"}]},
        f"{C0}.volumeMounts[0].mountPropagation",
        "HostToContainer",
    ),
    (
        "service",
        {"spec.type": "Foo"},
        "spec.type",
        "ClusterIP, NodePort, LoadBalancer, ExternalName",
    ),
    ("service", {"spec.type": "Foo", "spec.ports[0].nodePort": 80}, "spec.type", "NodePort"),
    ("service", {"spec.type": "${TYPE}", "spec.ports[0].nodePort": 80}, None, ""),
    ("service", {"spec.sessionAffinity": "Sticky"}, "spec.sessionAffinity", "ClientIP"),
    (
        "service",
        {"spec.loadBalancerClass": "example.com/lb"},
        "spec.loadBalancerClass",
        "only on a LoadBalancer",
    ),
    (
        "service",
        {"spec.type": "LoadBalancer", "spec.externalTrafficPolicy": "Global"},
        "spec.externalTrafficPolicy",
        "Cluster, Local",
    ),
    (
        "service",
        {"spec.internalTrafficPolicy": "local"},
        "spec.internalTrafficPolicy",
        "did you mean Local?",
    ),
    ("service", {"spec.ipFamilyPolicy": "DualStack"}, "spec.ipFamilyPolicy", "PreferDualStack"),
    ("service", {"spec.ipFamilies": ["IPv5"]}, "spec.ipFamilies[0]", "IPv4, IPv6"),
    (
        "deployment",
        {"spec.strategy.type": "BlueGreen"},
        "spec.strategy.type",
        "Recreate, RollingUpdate",
    ),
    (
        "deployment",
        {"spec.strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}},
        "spec.strategy.rollingUpdate",
        "Recreate",
    ),
    (
        "statefulset",
        {"spec.podManagementPolicy": "Ordered"},
        "spec.podManagementPolicy",
        "OrderedReady, Parallel",
    ),
    (
        "statefulset",
        {"spec.updateStrategy.type": "Recreate"},
        "spec.updateStrategy.type",
        "RollingUpdate, OnDelete",
    ),
    (
        "daemonset",
        {"spec.updateStrategy.type": "Recreate"},
        "spec.updateStrategy.type",
        "RollingUpdate, OnDelete",
    ),
    (
        "cronjob",
        {"spec.concurrencyPolicy": "Never"},
        "spec.concurrencyPolicy",
        "Allow, Forbid, Replace",
    ),
    ("job", {"spec.completionMode": "Indexd"}, "spec.completionMode", "NonIndexed, Indexed"),
    (
        "ingress",
        {"spec.rules[0].http.paths[0].pathType": "Regex"},
        "spec.rules[0].http.paths[0].pathType",
        "Exact, Prefix, ImplementationSpecific",
    ),
    ("netpol", {"spec.policyTypes": ["Ingress", "Both"]}, "spec.policyTypes[1]", "Ingress, Egress"),
    ("pvc", {"spec.accessModes": ["ReadWriteMany", "RWO"]}, "spec.accessModes[1]", "ReadWriteOnce"),
    ("pvc", {"spec.volumeMode": "File"}, "spec.volumeMode", "Block, Filesystem"),
    (
        "pdb",
        {"spec.unhealthyPodEvictionPolicy": "Always"},
        "spec.unhealthyPodEvictionPolicy",
        "AlwaysAllow",
    ),
    (
        "hpa",
        {"spec.behavior.scaleDown.selectPolicy": "Maximum"},
        "spec.behavior.scaleDown.selectPolicy",
        "Max, Min, Disabled",
    ),
    ("binding", {"roleRef.kind": "Roles"}, "roleRef.kind", "Role, ClusterRole"),
    (
        "binding",
        {"subjects[0].kind": "Serviceaccount"},
        "subjects[0].kind",
        "did you mean ServiceAccount?",
    ),
    # numbers and quantities
    (
        "pod",
        {f"{C0}.resources.limits.memory": "1GB"},
        f"{C0}.resources.limits.memory",
        "did you mean 1G or 1Gi?",
    ),
    ("pod", {f"{C0}.resources.requests.cpu": "-1"}, f"{C0}.resources.requests.cpu", "negative"),
    (
        "pod",
        {f"{C0}.resources": {"requests": {"memory": "64Mi"}, "limits": {"memory": "64M"}}},
        f"{C0}.resources.requests.memory",
        "exceed its limit",
    ),
    ("pod", {f"{C0}.resources": {"requests": {"cpu": "500m"}, "limits": {"cpu": 1}}}, None, ""),
    (
        "pod",
        {f"{C0}.resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1500m"}}},
        f"{C0}.resources.requests.cpu",
        "exceed its limit",
    ),
    (
        "pod",
        {f"{POD}.volumes": [{"name": "d", "emptyDir": {"sizeLimit": "1gb"}}]},
        f"{POD}.volumes[0].emptyDir.sizeLimit",
        "not a quantity",
    ),
    (
        "pvc",
        {"spec.resources.requests.storage": "10GB"},
        "spec.resources.requests.storage",
        "10G or 10Gi",
    ),
    (
        "pvc",
        {"spec.resources.requests.storage": 0},
        "spec.resources.requests.storage",
        "greater than zero",
    ),
    (
        "pod",
        {
            f"{POD}.topologySpreadConstraints": [
                {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}
            ]
        },
        f"{POD}.topologySpreadConstraints[0].maxSkew",
        "at least 1",
    ),
    (
        "pod",
        {
            f"{POD}.topologySpreadConstraints": [
                {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSCHEDULE"}
            ]
        },
        f"{POD}.topologySpreadConstraints[0].whenUnsatisfiable",
        "DoNotSchedule, ScheduleAnyway",
    ),
    (
        "pod",
        {
            f"{POD}.topologySpreadConstraints": [
                {
                    "maxSkew": 1,
                    "minDomains": 0,
                    "topologyKey": "zone",
                    "whenUnsatisfiable": "DoNotSchedule",
                }
            ]
        },
        f"{POD}.topologySpreadConstraints[0].minDomains",
        "at least 1",
    ),
    (
        "pod",
        {
            f"{POD}.topologySpreadConstraints": [
                {
                    "maxSkew": 1,
                    "minDomains": 2,
                    "topologyKey": "zone",
                    "whenUnsatisfiable": "ScheduleAnyway",
                }
            ]
        },
        f"{POD}.topologySpreadConstraints[0].minDomains",
        "DoNotSchedule",
    ),
    (
        "pod",
        {
            f"{POD}.topologySpreadConstraints": [
                {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}
            ]
            * 2
        },
        f"{POD}.topologySpreadConstraints[1].topologyKey",
        "once",
    ),
    ("deployment", {"spec.replicas": -1}, "spec.replicas", "not be negative"),
    (
        "deployment",
        {"spec.progressDeadlineSeconds": 10, "spec.minReadySeconds": 10},
        "spec.progressDeadlineSeconds",
        "greater than minReadySeconds",
    ),
    (
        "deployment",
        {"spec.strategy.rollingUpdate.maxUnavailable": "150%"},
        "spec.strategy.rollingUpdate.maxUnavailable",
        "100%",
    ),
    (
        "deployment",
        {"spec.strategy.rollingUpdate.maxSurge": "25"},
        "spec.strategy.rollingUpdate.maxSurge",
        "percentage",
    ),
    (
        "deployment",
        {f"{TEMPLATE}.activeDeadlineSeconds": 60},
        f"{TEMPLATE}.activeDeadlineSeconds",
        "must not be set",
    ),
    (
        "statefulset",
        {"spec.updateStrategy.rollingUpdate.partition": -1},
        "spec.updateStrategy.rollingUpdate.partition",
        "negative",
    ),
    (
        "hpa",
        {"spec.minReplicas": 5, "spec.maxReplicas": 3},
        "spec.maxReplicas",
        "not be less than minReplicas 5",
    ),
    ("hpa", {"spec.minReplicas": 0}, "spec.minReplicas", "at least 1"),
    (
        "hpa",
        {
            "spec.metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "memory",
                        "target": {"type": "AverageValue", "averageValue": "500MB"},
                    },
                }
            ]
        },
        "spec.metrics[0].resource.target.averageValue",
        "500M or 500Mi",
    ),
    (
        "hpa",
        {"spec.behavior.scaleUp.policies": [{"type": "Pods", "value": 1, "periodSeconds": 3600}]},
        "spec.behavior.scaleUp.policies[0].periodSeconds",
        "1800",
    ),
    ("pdb", {"spec.minAvailable": "50"}, "spec.minAvailable", "percentage"),
    ("pdb", {"spec.minAvailable": "50%"}, None, ""),
    (
        "pod",
        {f"{C0}.resources": {"requests": {"nvidia.com/gpu": 1}, "limits": {"nvidia.com/gpu": 2}}},
        f"{C0}.resources.requests.nvidia.com/gpu",
        "must equal",
    ),
    (
        "pod",
        {f"{C0}.resources": {"requests": {"nvidia.com/gpu": 1}}},
        f"{C0}.resources.requests.nvidia.com/gpu",
        "needs limits",
    ),
    ("pod", {f"{C0}.resources": {"limits": {"nvidia.com/gpu": 1}}}, None, ""),
    (
        "pod",
        {
            f"{C0}.resources": {
                "requests": {"hugepages-2Mi": "1Gi"},
                "limits": {"hugepages-2Mi": "2Gi"},
            }
        },
        f"{C0}.resources.requests.hugepages-2Mi",
        "must equal",
    ),
    # lifecycle hooks
    (
        "pod",
        {f"{C0}.lifecycle.preStop": {"exec": {"command": ["x"]}, "sleep": {"seconds": 5}}},
        f"{C0}.lifecycle.preStop.sleep",
        "exactly one handler",
    ),
    ("pod", {f"{C0}.lifecycle.preStop": {"sleep": {"seconds": 5}}}, None, ""),
    # volumes and security contexts
    (
        "pod",
        {f"{POD}.volumes": [{"name": "c", "configMap": {"name": "c", "defaultMode": 644}}]},
        f"{POD}.volumes[0].configMap.defaultMode",
        "write 0644",
    ),
    (
        "pod",
        {f"{POD}.volumes": [{"name": "c", "configMap": {"name": "c", "defaultMode": 420}}]},
        None,
        "",
    ),
    (
        "pod",
        {
            f"{POD}.volumes": [
                {
                    "name": "s",
                    "secret": {"secretName": "s", "items": [{"key": "k", "path": "../k"}]},
                }
            ]
        },
        f"{POD}.volumes[0].secret.items[0].path",
        "relative",
    ),
    (
        "pod",
        {
            f"{POD}.volumes": [
                {
                    "name": "p",
                    "projected": {
                        "sources": [
                            {
                                "configMap": {
                                    "name": "c",
                                    "items": [{"key": "k", "path": "k", "mode": 1000}],
                                }
                            }
                        ]
                    },
                }
            ]
        },
        f"{POD}.volumes[0].projected.sources[0].configMap.items[0].mode",
        "between 0 and 0777",
    ),
    (
        "pod",
        {f"{POD}.volumes": [{"name": "h", "hostPath": {"path": "/var", "type": "Dir"}}]},
        f"{POD}.volumes[0].hostPath.type",
        "DirectoryOrCreate",
    ),
    (
        "pod",
        {f"{POD}.securityContext.seccompProfile": {"type": "Default"}},
        f"{POD}.securityContext.seccompProfile.type",
        "RuntimeDefault",
    ),
    (
        "pod",
        {f"{C0}.securityContext.seccompProfile": {"type": "Localhost"}},
        f"{C0}.securityContext.seccompProfile",
        "requires localhostProfile",
    ),
    (
        "pod",
        {
            f"{C0}.securityContext.appArmorProfile": {
                "type": "RuntimeDefault",
                "localhostProfile": "x",
            }
        },
        f"{C0}.securityContext.appArmorProfile.localhostProfile",
        "only with appArmorProfile type Localhost",
    ),
    ("pod", {f"{POD}.securityContext.seccompProfile": {"type": "RuntimeDefault"}}, None, ""),
    # probes
    (
        "pod",
        {f"{C0}.readinessProbe": {"tcpSocket": {"port": 80}, "terminationGracePeriodSeconds": 5}},
        f"{C0}.readinessProbe.terminationGracePeriodSeconds",
        "must not be set on a readinessProbe",
    ),
    (
        "pod",
        {f"{C0}.livenessProbe": {"tcpSocket": {"port": 80}, "terminationGracePeriodSeconds": 5}},
        None,
        "",
    ),
    (
        "pod",
        {f"{C0}.readinessProbe": {"grpc": {"port": 0}}},
        f"{C0}.readinessProbe.grpc.port",
        "between 1 and 65535",
    ),
    (
        "pod",
        {f"{C0}.livenessProbe": {"successThreshold": 2, "tcpSocket": {"port": 80}}},
        f"{C0}.livenessProbe.successThreshold",
        "must be 1",
    ),
    ("pod", {f"{C0}.readinessProbe": {"successThreshold": 2, "tcpSocket": {"port": 80}}}, None, ""),
    (
        "pod",
        {f"{C0}.startupProbe": {"successThreshold": 3, "exec": {"command": ["true"]}}},
        f"{C0}.startupProbe.successThreshold",
        "must be 1",
    ),
    (
        "pod",
        {f"{C0}.livenessProbe": {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}}},
        f"{C0}.livenessProbe.tcpSocket",
        "exactly one handler",
    ),
    ("pod", {f"{C0}.readinessProbe": {"periodSeconds": 5}}, f"{C0}.readinessProbe", "no handler"),
    (
        "pod",
        {f"{C0}.readinessProbe": {"httpGet": {"port": 70000}}},
        f"{C0}.readinessProbe.httpGet.port",
        "between 1 and 65535",
    ),
    (
        "pod",
        {f"{C0}.readinessProbe": {"httpGet": {"port": "web_http"}}},
        f"{C0}.readinessProbe.httpGet.port",
        "IANA",
    ),
    (
        "pod",
        {f"{C0}.readinessProbe": {"httpGet": {"port": 80, "scheme": "http"}}},
        f"{C0}.readinessProbe.httpGet.scheme",
        "did you mean HTTP?",
    ),
    # one-of and required by validation
    (
        "pod",
        {f"{C0}.image": _DELETE, f"{POD}.containers[1]": {"name": "b", "image": "x"}},
        C0,
        "no image",
    ),
    ("pod", {f"{C0}.image": ""}, f"{C0}.image", "image is empty"),
    ("pod", {f"{C0}.image": None}, f"{C0}.image", "image is empty"),
    ("pod", {f"{C0}.livenessProbe": None}, None, ""),
    (
        "pod",
        {
            f"{C0}.env": [
                {
                    "name": "A",
                    "value": "x",
                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                }
            ]
        },
        f"{C0}.env[0].valueFrom",
        "value is not empty",
    ),
    (
        "pod",
        {
            f"{C0}.env": [
                {
                    "name": "A",
                    "valueFrom": {
                        "fieldRef": {"fieldPath": "metadata.name"},
                        "secretKeyRef": {"name": "s", "key": "k"},
                    },
                }
            ]
        },
        f"{C0}.env[0].valueFrom.secretKeyRef",
        "exactly one source",
    ),
    (
        "pod",
        {
            f"{C0}.volumeMounts": [
                {"name": "a", "mountPath": "/d"},
                {"name": "b", "mountPath": "/d"},
            ]
        },
        f"{C0}.volumeMounts[1].mountPath",
        "mounted twice",
    ),
    ("job", {f"{TEMPLATE}.restartPolicy": _DELETE}, TEMPLATE, "defaults to Always"),
    (
        "job",
        {f"{TEMPLATE}.restartPolicy": "Always"},
        f"{TEMPLATE}.restartPolicy",
        "OnFailure or Never",
    ),
    ("job", {f"{TEMPLATE}.restartPolicy": "OnFailure"}, None, ""),
    (
        "job",
        {f"{TEMPLATE}.restartPolicy": "OnFailure", "spec.podFailurePolicy": {"rules": []}},
        f"{TEMPLATE}.restartPolicy",
        "Never when the Job has a podFailurePolicy",
    ),
    (
        "cronjob",
        {f"spec.jobTemplate.{TEMPLATE}.restartPolicy": _DELETE},
        f"spec.jobTemplate.{TEMPLATE}",
        "defaults to Always",
    ),
    (
        "deployment",
        {f"{TEMPLATE}.restartPolicy": "OnFailure"},
        f"{TEMPLATE}.restartPolicy",
        "use Always",
    ),
    ("job", {"spec.completionMode": "Indexed"}, "spec.completionMode", "requires completions"),
    ("pdb", {"spec.maxUnavailable": 1}, "spec.maxUnavailable", "both be set"),
    (
        "service",
        {"spec.type": "ExternalName", "spec.ports": _DELETE},
        "spec.type",
        "requires spec.externalName",
    ),
    ("service", {"spec.type": "ExternalName", "spec.externalName": "db.example.com."}, None, ""),
    (
        "service",
        {"spec.type": "ExternalName", "spec.externalName": "db_example"},
        "spec.externalName",
        "RFC 1123 subdomain",
    ),
    (
        "ingress",
        {"spec.rules[0].http.paths[0].path": "api"},
        "spec.rules[0].http.paths[0].path",
        "absolute",
    ),
    (
        "ingress",
        {
            "spec.rules[0].http.paths[0].path": "api",
            "spec.rules[0].http.paths[0].pathType": "ImplementationSpecific",
        },
        "spec.rules[0].http.paths[0].path",
        "absolute",
    ),
    (
        "ingress",
        {"spec.rules[0].http.paths[0].path": "/api//v1"},
        "spec.rules[0].http.paths[0].path",
        "'//'",
    ),
    (
        "ingress",
        {
            "spec.rules[0].http.paths[0].path": "/api/.*",
            "spec.rules[0].http.paths[0].pathType": "ImplementationSpecific",
        },
        None,
        "",
    ),
    ("ingress", {"spec.rules[0].host": "10.0.0.1"}, "spec.rules[0].host", "not an IP address"),
    ("ingress", {"spec.rules[0].host": "*.example.com"}, None, ""),
    (
        "ingress",
        {"spec.rules[0].http.paths[0].backend.service.port": {"number": 80, "name": "http"}},
        "spec.rules[0].http.paths[0].backend.service.port.number",
        "not both",
    ),
    (
        "ingress",
        {"spec.rules[0].http.paths[0].backend.service.port": {"name": "HTTP"}},
        "spec.rules[0].http.paths[0].backend.service.port.name",
        "IANA",
    ),
    ("cronjob", {"spec.schedule": "61 * * * *"}, "spec.schedule", "above maximum (59)"),
    ("cronjob", {"spec.schedule": "@every 1h"}, None, ""),
    ("cronjob", {"spec.schedule": "CRON_TZ=UTC 0 3 * * *"}, "spec.schedule", "timeZone instead"),
    ("cronjob", {"spec.timeZone": "Europe/Pariss"}, "spec.timeZone", "IANA time zone"),
    ("cronjob", {"spec.timeZone": "Europe/Paris"}, None, ""),
    ("cronjob", {"spec.timeZone": "Local"}, "spec.timeZone", "not Local"),
    (
        "netpol",
        {"spec.ingress[0].from[0].ipBlock.cidr": "10.0.0.0/33"},
        "spec.ingress[0].from[0].ipBlock.cidr",
        "not a CIDR",
    ),
    (
        "netpol",
        {"spec.ingress[0].from[0].ipBlock.cidr": "10.0.0.1"},
        "spec.ingress[0].from[0].ipBlock.cidr",
        "not a CIDR",
    ),
    (
        "netpol",
        {"spec.ingress[0].from[0].ipBlock.except": ["10.1.0.0/24"]},
        "spec.ingress[0].from[0].ipBlock.except[0]",
        "strict subset",
    ),
    (
        "netpol",
        {"spec.ingress[0].from[0].ipBlock.except": ["10.0.0.0/16"]},
        "spec.ingress[0].from[0].ipBlock.except[0]",
        "strict subset",
    ),
    ("netpol", {"spec.ingress[0].from[0].ipBlock.except": ["10.0.5.0/24"]}, None, ""),
    (
        "netpol",
        {"spec.ingress[0].from[0].podSelector": {}},
        "spec.ingress[0].from[0].ipBlock",
        "may not also set",
    ),
    (
        "netpol",
        {"spec.ingress[0].ports[0].endPort": 79},
        "spec.ingress[0].ports[0].endPort",
        "not be less than port 80",
    ),
    (
        "netpol",
        {"spec.ingress[0].ports[0].port": "http", "spec.ingress[0].ports[0].endPort": 90},
        "spec.ingress[0].ports[0].endPort",
        "numeric port",
    ),
    ("secret", {"data.token": "not base64!"}, "data.token", "not base64"),
    ("secret", {"data.token": "c2Vj\ncmV0"}, None, ""),
    ("secret", {"type": "kubernetes.io/tls"}, "type", "keys tls.crt, tls.key"),
    (
        "secret",
        {"type": "kubernetes.io/tls", "stringData": {"tls.crt": "x", "tls.key": "y"}},
        None,
        "",
    ),
    ("role", {"rules[0].verbs": []}, "rules[0].verbs", "at least one verb"),
    ("role", {"rules[0].apiGroups": _DELETE}, "rules[0]", "API group"),
    ("role", {"rules[0].nonResourceURLs": ["/healthz"]}, "rules[0].nonResourceURLs", "not both"),
    ("binding", {"roleRef.apiGroup": "rbac"}, "roleRef.apiGroup", "rbac.authorization.k8s.io"),
    (
        "binding",
        {"subjects[0].apiGroup": "rbac.authorization.k8s.io"},
        "subjects[0].apiGroup",
        "no apiGroup",
    ),
    ("binding", {"subjects[0]": {"kind": "User", "name": "jane"}}, None, ""),
    # label selectors outside workloads
    (
        "pdb",
        {
            "spec.selector": {
                "matchExpressions": [{"key": "app", "operator": "in", "values": ["web"]}]
            }
        },
        "spec.selector.matchExpressions[0]",
        "'in' is not a label selector operator",
    ),
    (
        "netpol",
        {
            "spec.podSelector": {
                "matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]
            }
        },
        "spec.podSelector.matchExpressions[0]",
        "takes no values",
    ),
    (
        "netpol",
        {"spec.ingress[0].from[0]": {"namespaceSelector": {"matchLabels": {"team": "a b"}}}},
        "spec.ingress[0].from[0].namespaceSelector.matchLabels.team",
        "selector value",
    ),
    (
        "pod",
        {
            f"{POD}.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 1,
                    "podAffinityTerm": {
                        "topologyKey": "zone",
                        "labelSelector": {"matchExpressions": [{"key": "app", "operator": "In"}]},
                    },
                }
            ]
        },
        f"{POD}.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchExpressions[0]",
        "needs at least one value",
    ),
    (
        "deployment",
        {
            "spec.selector": {
                "matchExpressions": [{"key": "app", "operator": "in", "values": ["web"]}]
            }
        },
        None,
        "",
    ),
    # tolerations
    ("pod", {f"{POD}.tolerations": [{"operator": "Exists"}]}, None, ""),
    (
        "pod",
        {f"{POD}.tolerations": [{"effect": "NoSchedule"}]},
        f"{POD}.tolerations[0]",
        "operator Exists",
    ),
    (
        "pod",
        {f"{POD}.tolerations": [{"key": "k", "operator": "Exists", "value": "v"}]},
        f"{POD}.tolerations[0].value",
        "must be empty",
    ),
    (
        "pod",
        {f"{POD}.tolerations": [{"key": "k", "operator": "Equals"}]},
        f"{POD}.tolerations[0].operator",
        "Exists, Equal",
    ),
    (
        "pod",
        {f"{POD}.tolerations": [{"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5}]},
        f"{POD}.tolerations[0].tolerationSeconds",
        "NoExecute",
    ),
    # placeholders are a tool's to fill in, not values
    ("pod", {f"{POD}.serviceAccountName": "${KSA_NAME}"}, None, ""),
    ("pod", {f"{C0}.resources.limits.memory": "{{ .Values.memory }}"}, None, ""),
]


@pytest.mark.parametrize(("base", "changes", "path", "fragment"), CASES)
def test_case(base, changes, path, fragment):
    found = _findings(_case(base, changes))
    if path is None:
        assert found == []
    else:
        assert len(found) == 1, found
        assert found[0][0] == path
        assert fragment in found[0][1]
        assert found[0][1].endswith("the API server rejects the object")


def test_env_names_follow_the_target_version():
    pod = _case("pod", {f"{C0}.env": [{"name": "1ABC", "value": "x"}]})
    assert [path for path, _ in _findings(pod, "1.31")] == [f"{C0}.env[0].name"]
    assert _findings(pod, "1.32") == []


@pytest.mark.parametrize(
    ("value", "version", "valid"),
    [
        ("PreferClose", "1.30", True),
        ("PreferSameZone", "1.33", False),
        ("PreferSameZone", "1.34", True),
        ("PreferSameNode", "1.37", True),
        ("Closest", "1.37", False),
    ],
)
def test_traffic_distribution_follows_the_target_version(value, version, valid):
    service = _case("service", {"spec.trafficDistribution": value})
    expected = [] if valid else ["spec.trafficDistribution"]
    assert [path for path, _ in _findings(service, version)] == expected


def test_kustomize_patch_is_not_judged_for_missing_parts(tmp_path):
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [job.yaml]\npatches:\n- path: patch.yaml\n"
    )
    patch = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "migrate"},
        "spec": {
            "template": {"spec": {"containers": [{"name": "m", "imagePullPolicy": "Sometimes"}]}}
        },
    }
    (tmp_path / "patch.yaml").write_text(yaml.safe_dump(patch))
    from support import lint_paths

    result = lint_paths([str(tmp_path / "patch.yaml")], [RULE])
    # the wrong value breaks the patched object too; the missing image and
    # restartPolicy come from the base
    assert [format_path(f.path) for f in result.findings] == [
        "spec.template.spec.containers[0].imagePullPolicy"
    ]


def test_a_typo_of_restart_policy_is_left_to_schema():
    job = _case("job", {f"{TEMPLATE}.restartPolicy": _DELETE, f"{TEMPLATE}.RestartPolicy": "Never"})
    assert _findings(job) == []


def test_a_custom_resource_is_not_judged():
    changes = {f"{TEMPLATE}.containers[0].imagePullPolicy": "Sometimes"}
    assert len(_findings(_case("deployment", changes))) == 1
    changes["apiVersion"] = "example.com/v1"
    assert _findings(_case("deployment", changes)) == []
