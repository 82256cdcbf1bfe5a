"""The rules deploy/kubernetes/ must keep, checked over rendered manifests (a list of documents).

:func:`problems` returns one line per broken rule (empty: all kept), so that a test can check both
the real manifests and deliberately broken copies of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Document = dict[str, Any]

COMPONENT = "app.kubernetes.io/component"
DATABASE_PORTS = {5432, 6379}
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|_KEY$|DATABASE_URL|TRACKER_URL|REDIS_URL")
PRIVATE_PATHS = ("/metrics", "/webhooks/rest/ready")
DENY_ALL = {"0.0.0.0/0", "::/0"}
READY_PATH = "/webhooks/rest/ready"
SCHEMA_CHECK = "wait_for_schema.py"


@dataclass(frozen=True)
class Pod:
    """A pod template of a workload, with where it came from."""

    kind: str
    name: str
    labels: dict[str, str]
    spec: dict[str, Any]

    @property
    def component(self) -> str:
        return self.labels.get(COMPONENT, "")

    def containers(self, init: bool = True) -> Iterator[dict[str, Any]]:
        yield from self.spec.get("containers", [])
        if init:
            yield from self.spec.get("initContainers", [])


def pods(documents: list[Document]) -> list[Pod]:
    found = []
    for document in documents:
        kind, name = document["kind"], document["metadata"]["name"]
        if kind in ("Deployment", "Job"):
            template = document["spec"]["template"]
        elif kind == "CronJob":
            template = document["spec"]["jobTemplate"]["spec"]["template"]
        else:
            continue
        found.append(Pod(kind, name, template["metadata"].get("labels", {}), template["spec"]))
    return found


def of_kind(documents: list[Document], kind: str) -> list[Document]:
    return [document for document in documents if document["kind"] == kind]


def selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels only, as these manifests use) selects ``labels``."""
    if selector is None:
        return False
    if selector.get("matchExpressions"):
        raise ValueError("matchExpressions are not checked here: use matchLabels")
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def problems(documents: list[Document], measured_rasa_mb: float, schema_check: str) -> list[str]:
    """Every broken rule. ``measured_rasa_mb``: the Rasa server's measured peak RSS (MB);
    ``schema_check``: the text of the init containers' script."""
    return [
        *container_problems(documents),
        *rasa_problems(documents, measured_rasa_mb),
        *ordering_problems(documents, schema_check),
        *network_problems(documents),
        *ingress_problems(documents),
        *secret_problems(documents),
    ]


# --- every container -------------------------------------------------------------------


def container_problems(documents: list[Document]) -> Iterator[str]:
    for pod in pods(documents):
        spec = pod.spec
        where = f"{pod.kind} {pod.name}"
        pod_security = spec.get("securityContext", {})
        if spec.get("automountServiceAccountToken") is not False:
            yield f"{where}: mounts a service account token"
        if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
            yield f"{where}: shares a host namespace"
        for container in pod.containers():
            name = f"{where} container {container['name']}"
            security = {**pod_security, **container.get("securityContext", {})}
            if security.get("runAsNonRoot") is not True or security.get("runAsUser") == 0:
                yield f"{name}: may run as root"
            if container.get("securityContext", {}).get("allowPrivilegeEscalation") is not False:
                yield f"{name}: allowPrivilegeEscalation is not false"
            if container.get("securityContext", {}).get("readOnlyRootFilesystem") is not True:
                yield f"{name}: readOnlyRootFilesystem is not true"
            if "ALL" not in container.get("securityContext", {}).get("capabilities", {}).get("drop", []):
                yield f"{name}: does not drop all capabilities"
            if container.get("securityContext", {}).get("privileged"):
                yield f"{name}: privileged"
            if security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
                yield f"{name}: seccomp profile is not RuntimeDefault"
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(bound, {}):
                        yield f"{name}: no {resource} {bound}"
            mounts = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
            if "/tmp" not in mounts:
                yield f"{name}: no writable /tmp (an emptyDir) beside its read-only root"
        if pod.kind == "Deployment":
            for container in pod.containers(init=False):
                for probe in ("readinessProbe", "livenessProbe"):
                    if probe not in container:
                        yield f"{where} container {container['name']}: no {probe}"
            strategy = deployment(documents, pod.name)["spec"].get("strategy", {})
            if strategy.get("rollingUpdate", {}).get("maxUnavailable") != 0:
                yield f"{where}: a rolling update may stop a pod before its successor is ready"


def deployment(documents: list[Document], name: str) -> Document:
    [found] = [d for d in of_kind(documents, "Deployment") if d["metadata"]["name"] == name]
    return found


def mebibytes(quantity: str) -> float:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    for unit, factor in units.items():
        if quantity.endswith(unit):
            return float(quantity[: -len(unit)]) * factor / 2**20
    return float(quantity) / 2**20


# --- the Rasa servers --------------------------------------------------------------------


def rasa_problems(documents: list[Document], measured_mb: float) -> Iterator[str]:
    servers = [pod for pod in pods(documents) if pod.kind == "Deployment" and pod.component == "rasa"]
    if len(servers) != 1:
        yield f"expected one Rasa server Deployment, found {len(servers)}"
        return
    [pod] = servers
    name = pod.name
    if deployment(documents, name)["spec"].get("replicas", 1) < 2:
        yield f"Deployment {name}: fewer than 2 replicas"
    autoscalers = [
        hpa
        for hpa in of_kind(documents, "HorizontalPodAutoscaler")
        if hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    ]
    if not autoscalers:
        yield f"Deployment {name}: no HorizontalPodAutoscaler"
    elif any(hpa["spec"].get("minReplicas", 1) < 2 for hpa in autoscalers):
        yield f"Deployment {name}: its HorizontalPodAutoscaler may scale it below 2"
    budgets = [
        pdb
        for pdb in of_kind(documents, "PodDisruptionBudget")
        if selects(pdb["spec"]["selector"], pod.labels)
    ]
    if not any(pdb["spec"].get("minAvailable", 0) >= 1 for pdb in budgets):
        yield f"Deployment {name}: no PodDisruptionBudget keeping a server up"
    [container] = [c for c in pod.containers(init=False)]
    if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != READY_PATH:
        yield f"Deployment {name}: the readiness probe is not {READY_PATH} (model loaded, database writable)"
    resources = container.get("resources", {})
    request = mebibytes(resources.get("requests", {}).get("memory", "0"))
    limit = mebibytes(resources.get("limits", {}).get("memory", "0"))
    measured_mib = measured_mb * 10**6 / 2**20
    if request < measured_mib:
        yield f"Deployment {name}: memory request {request:.0f} MiB below the measured {measured_mib:.0f} MiB"
    if limit < 2 * measured_mib:
        yield f"Deployment {name}: memory limit {limit:.0f} MiB leaves no room over the measured peak"
    sleep = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    if len(sleep) != 2 or sleep[0] != "sleep":
        yield f"Deployment {name}: no preStop pause before the stop signal"
    elif pod.spec.get("terminationGracePeriodSeconds", 30) < int(sleep[1]) + 15:
        yield f"Deployment {name}: the grace period leaves turns in flight no time after the preStop pause"


# --- migrations before servers -------------------------------------------------------------


def ordering_problems(documents: list[Document], schema_check: str) -> Iterator[str]:
    upgrade = ["almere", "db", "upgrade"]
    jobs = [pod for pod in pods(documents) if pod.kind == "Job"]
    if not any(container.get("command") == upgrade for pod in jobs for container in pod.containers()):
        yield "no Job runs `almere db upgrade`"
    scripts = {
        document["metadata"]["name"]
        for document in of_kind(documents, "ConfigMap")
        if document.get("data", {}).get(SCHEMA_CHECK) == schema_check
    }
    for pod in pods(documents):
        if pod.kind != "Deployment":
            continue
        volumes = {v["name"]: v.get("configMap", {}).get("name") for v in pod.spec.get("volumes", [])}
        waits = False
        for init in pod.spec.get("initContainers", []):
            command = " ".join(init.get("command", []))
            for mount in init.get("volumeMounts", []):
                if (
                    volumes.get(mount["name"]) in scripts
                    and f"{mount['mountPath']}/{SCHEMA_CHECK}" in command
                ):
                    waits = True
        if not waits:
            yield f"Deployment {pod.name}: does not wait for the schema ({SCHEMA_CHECK} in an init container)"


# --- network policies --------------------------------------------------------------------


def network_problems(documents: list[Document]) -> Iterator[str]:
    policies = of_kind(documents, "NetworkPolicy")
    all_pods = pods(documents)
    if not any(
        policy["spec"]["podSelector"] == {}
        and set(policy["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not policy["spec"].get("ingress")
        and not policy["spec"].get("egress")
        for policy in policies
    ):
        yield "no default-deny NetworkPolicy (all pods, ingress and egress)"

    def selected(policy: Document) -> list[Pod]:
        return [pod for pod in all_pods if selects(policy["spec"]["podSelector"], pod.labels)]

    for policy in policies:
        name = f"NetworkPolicy {policy['metadata']['name']}"
        targets = {pod.component for pod in selected(policy)}
        for rule in policy["spec"].get("ingress", []):
            if not rule.get("from"):
                yield f"{name}: an ingress rule open to every source"
            if "actions" in targets:
                for peer in rule.get("from", []):
                    sources = {
                        pod.component for pod in all_pods if selects(peer.get("podSelector"), pod.labels)
                    }
                    if set(peer) != {"podSelector"} or sources != {"rasa"}:
                        yield f"{name}: lets in the action server more than the Rasa pods: {peer}"
        for rule in policy["spec"].get("egress", []):
            blocks = [peer["ipBlock"] for peer in rule.get("to", []) if "ipBlock" in peer]
            if not rule.get("to") or any(block["cidr"] in DENY_ALL for block in blocks):
                yield f"{name}: an egress rule open to every destination"
            ports = {port.get("port") for port in rule.get("ports", [])}
            if blocks and ports & DATABASE_PORTS:
                if not targets or not targets <= {"rasa", "actions", "desk", "migrate", "purge"}:
                    yield f"{name}: database egress for pods that are not the app's: {sorted(targets)}"


# --- the Ingress ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    ingress: Document
    path: str
    path_type: str
    service: str

    @property
    def denied(self) -> bool:
        ranges = (
            self.ingress["metadata"]
            .get("annotations", {})
            .get("nginx.ingress.kubernetes.io/denylist-source-range", "")
        )
        return DENY_ALL <= {part.strip() for part in ranges.split(",")}


def routes(documents: list[Document]) -> list[Route]:
    found = []
    for ingress in of_kind(documents, "Ingress"):
        for rule in ingress["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                service = path["backend"]["service"]["name"]
                found.append(Route(ingress, path["path"], path["pathType"], service))
    return found


def route_for(documents: list[Document], request_path: str) -> Route | None:
    """The route ingress-nginx takes for ``request_path``: an Exact match, else the longest Prefix
    (whole path segments)."""
    candidates = routes(documents)
    for route in candidates:
        if route.path_type == "Exact" and route.path == request_path:
            return route
    prefixes = [
        route
        for route in candidates
        if route.path_type == "Prefix"
        and (
            route.path == "/"
            or request_path == route.path.rstrip("/")
            or request_path.startswith(route.path.rstrip("/") + "/")
        )
    ]
    return max(prefixes, key=lambda route: len(route.path), default=None)


def service_component(documents: list[Document], name: str) -> str | None:
    for service in of_kind(documents, "Service"):
        if service["metadata"]["name"] == name:
            return service["spec"]["selector"].get(COMPONENT)
    return None


def ingress_problems(documents: list[Document]) -> Iterator[str]:
    for path in PRIVATE_PATHS:
        route = route_for(documents, path)
        if route is not None and not route.denied:
            yield f"Ingress {route.ingress['metadata']['name']}: {path} is public"
    expected = {"/socket.io/?EIO=4&transport=polling": "rasa", "/webhooks/rest/webhook": "rasa", "/": "desk"}
    for path, component in expected.items():
        route = route_for(documents, path.split("?")[0])
        if route is None or route.denied or service_component(documents, route.service) != component:
            yield f"Ingress: {path} does not reach the {component} pods"
    socketio = route_for(documents, "/socket.io/")
    if socketio is not None:
        annotations = socketio.ingress["metadata"].get("annotations", {})
        if annotations.get("nginx.ingress.kubernetes.io/upstream-hash-by") != "$arg_session_id":
            yield "Ingress: socket.io connections are not pinned to one pod (hashed on their session id)"
        shared = [
            r for r in routes(documents) if r.service == socketio.service and r.ingress != socketio.ingress
        ]
        if shared:
            yield "Ingress: the socket.io Service also serves another Ingress (balancing is per Service)"


# --- secrets ------------------------------------------------------------------------------


def secret_problems(documents: list[Document]) -> Iterator[str]:
    for document in of_kind(documents, "Secret"):
        yield f"Secret {document['metadata']['name']}: secret values in the manifests"
    for pod in pods(documents):
        for container in pod.containers():
            for variable in container.get("env", []):
                if SECRET_NAMES.search(variable["name"]) and "secretKeyRef" not in variable.get(
                    "valueFrom", {}
                ):
                    yield f"{pod.kind} {pod.name}: {variable['name']} is not taken from a Secret"


def missing_settings(documents: list[Document]) -> list[str]:
    """ConfigMap keys the pods refer to that no rendered ConfigMap holds (a deployable overlay has none)."""
    held = {
        (document["metadata"]["name"], key)
        for document in of_kind(documents, "ConfigMap")
        for key in document.get("data", {})
    }
    wanted = {
        (ref["name"], ref["key"])
        for pod in pods(documents)
        for container in pod.containers()
        for variable in container.get("env", [])
        for ref in [variable.get("valueFrom", {}).get("configMapKeyRef")]
        if ref and not ref.get("optional")
    }
    return sorted(f"{name}: {key}" for name, key in wanted - held)


def secret_keys(documents: list[Document]) -> set[str]:
    """The keys of the Secret almere-secrets the pods refer to."""
    return {
        variable["valueFrom"]["secretKeyRef"]["key"]
        for pod in pods(documents)
        for container in pod.containers()
        for variable in container.get("env", [])
        if "secretKeyRef" in variable.get("valueFrom", {})
    }


def measured_rasa_peak_mb(bench_report: Path) -> float:
    """The Rasa server's peak RSS (MB) that reports/bench.md measured."""
    text = bench_report.read_text(encoding="utf-8")
    match = re.search(r"\| Rasa server peak RSS[^|]*\| ([\d.]+) MB \|", text)
    if match is None:
        raise ValueError(f"{bench_report} has no 'Rasa server peak RSS' row")
    return float(match.group(1))
