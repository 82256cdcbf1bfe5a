"""deploy/kubernetes/ renders with `kubectl kustomize`, every document is valid for the stated
Kubernetes version (kubernetes-validate's schemas, strict: an unknown or misspelt field fails), and
the rules of kubernetes_policy hold. No cluster: what a cluster would do is not tried here."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
import time

import pytest
import yaml
from kubernetes_policy import (
    measured_rasa_peak_mb,
    missing_settings,
    problems,
    route_for,
    secret_keys,
    service_component,
)
from kubernetes_validate import utils as kubernetes_validate
from support import require_service

from bot.config import REPO_ROOT
from bot.tickets.database import upgrade_database

KUBERNETES = REPO_ROOT / "deploy" / "kubernetes"
# The newest schemas of the kubernetes-validate that fits the lock (deploy/README.md says why).
KUBERNETES_VERSION = "1.28.0"
LAYOUTS = {"base": KUBERNETES / "base", "example overlay": KUBERNETES / "overlays" / "example"}
SCHEMA_CHECK = KUBERNETES / "base" / "wait_for_schema.py"


def render(directory) -> list[dict]:
    require_service(shutil.which("kubectl") is not None, "no kubectl here (it renders the manifests)")
    result = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    return {name: render(directory) for name, directory in LAYOUTS.items()}


@pytest.fixture(scope="module")
def overlay(rendered) -> list[dict]:
    return rendered["example overlay"]


def check(documents: list[dict]) -> list[str]:
    return problems(
        documents,
        measured_rasa_peak_mb(REPO_ROOT / "reports" / "bench.md"),
        SCHEMA_CHECK.read_text(encoding="utf-8"),
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_document_is_valid_for_the_stated_kubernetes_version(rendered, layout):
    documents = rendered[layout]
    assert len(documents) > 20
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_refuses_a_misspelt_field(overlay):
    [rasa] = [d for d in overlay if d["kind"] == "Deployment" and d["metadata"]["name"] == "almere-rasa"]
    broken = copy.deepcopy(rasa)
    container = broken["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"]["readOnlyRootFilesytem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_manifests_keep_every_rule(rendered, layout):
    assert check(rendered[layout]) == []


def test_the_overlay_sets_every_setting_the_pods_read(rendered, overlay):
    assert missing_settings(overlay) == []
    # The base leaves the site's own settings to the overlay: without one, a pod would not start.
    missing = missing_settings(rendered["base"])
    assert any(
        item.startswith("almere-settings-") and item.endswith(": ALMERE_PUBLIC_URL") for item in missing
    )


def test_deploy_readme_names_every_key_of_the_secret(overlay):
    readme = (REPO_ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    keys = secret_keys(overlay)
    assert {"ALMERE_DATABASE_URL", "ALMERE_ACTION_SERVER_SECRET", "ALMERE_SECRET_KEY"} <= keys
    assert [key for key in sorted(keys) if key not in readme] == []


def test_the_ingress_routes_as_haproxy_does(overlay):
    config = (REPO_ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    prefixes = dict(re.findall(r"^\s*acl (\w+) path_beg (\S+)", config, flags=re.MULTILINE))
    backends = re.findall(r"^\s*use_backend (\w+) if (\w+)$", config, flags=re.MULTILINE)
    assert backends
    for backend, acl in backends:
        assert backend.startswith("rasa_")
        route = route_for(overlay, prefixes[acl] + "anything")
        assert route is not None and not route.denied, prefixes[acl]
        assert service_component(overlay, route.service) == "rasa", prefixes[acl]
    [default] = re.findall(r"^\s*default_backend (\w+)$", config, flags=re.MULTILINE)
    for path in ("/", "/desk/login", "/static/chat.js", "/feedback/abc"):
        route = route_for(overlay, path)
        assert route is not None and not route.denied
        assert service_component(overlay, route.service) == default
    for path in ("/metrics", "/metrics/", "/webhooks/rest/ready"):
        assert route_for(overlay, path).denied, path


# The processes of deploy/docker-compose.yml and where each runs here.
COMPOSE_SERVICES = {
    "rasa-1": ("Deployment", "almere-rasa"),
    "actions": ("Deployment", "almere-actions"),
    "desk": ("Deployment", "almere-desk"),
    "migrate": ("Job", "almere-migrate"),
    "purge": ("CronJob", "almere-purge"),
}


def main_container(documents: list[dict], kind: str, name: str) -> dict:
    spec = find(documents, kind, name)["spec"]
    template = spec["jobTemplate"]["spec"]["template"] if kind == "CronJob" else spec["template"]
    [container] = template["spec"]["containers"]
    return container


def test_every_process_runs_as_compose_runs_it(overlay):
    compose = yaml.safe_load((REPO_ROOT / "deploy" / "docker-compose.yml").read_text(encoding="utf-8"))
    for service, (kind, name) in COMPOSE_SERVICES.items():
        container = main_container(overlay, kind, name)
        # "$$" is a literal "$" in both files' commands.
        assert [part.replace("$$", "$") for part in container["command"]] == [
            part.replace("$$", "$") for part in compose["services"][service]["command"]
        ], service
        if kind != "Job":  # the migration needs the ticket database only
            given = {variable["name"] for variable in container["env"]}
            assert set(compose["services"][service].get("environment", {})) <= given, service
    endpoints = (REPO_ROOT / "deploy" / "endpoints.yml").read_text(encoding="utf-8")
    wanted = set(re.findall(r"^[^#]*\$\{([A-Z0-9_]+)\}", endpoints, flags=re.MULTILINE))
    assert wanted
    assert wanted <= {
        variable["name"] for variable in main_container(overlay, "Deployment", "almere-rasa")["env"]
    }


def find(documents: list[dict], kind: str, name: str) -> dict:
    [found] = [d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def pod_spec(documents, kind, name) -> dict:
    return find(documents, kind, name)["spec"]["template"]["spec"]


def writable_root(documents):
    pod_spec(documents, "Deployment", "almere-rasa")["containers"][0]["securityContext"].pop(
        "readOnlyRootFilesystem"
    )


def root_init_container(documents):
    pod_spec(documents, "Deployment", "almere-desk")["initContainers"][0]["securityContext"]["runAsUser"] = 0


def no_memory_limit(documents):
    del pod_spec(documents, "Deployment", "almere-actions")["containers"][0]["resources"]["limits"]["memory"]


def no_liveness_probe(documents):
    del pod_spec(documents, "Deployment", "almere-desk")["containers"][0]["livenessProbe"]


def desk_reaches_actions(documents):
    policy = find(documents, "NetworkPolicy", "almere-actions")
    policy["spec"]["ingress"][0]["from"].append(
        {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "desk"}}}
    )


def ingress_namespace_reaches_actions(documents):
    policy = find(documents, "NetworkPolicy", "almere-actions")
    policy["spec"]["ingress"][0]["from"][0]["namespaceSelector"] = {"matchLabels": {"team": "ops"}}


def database_from_anywhere(documents):
    find(documents, "NetworkPolicy", "almere-postgresql")["spec"]["podSelector"] = {}
    documents.append(
        {
            "kind": "Deployment",
            "metadata": {"name": "debug"},
            "spec": {"template": {"metadata": {"labels": {"run": "debug"}}, "spec": {"containers": []}}},
        }
    )


def no_default_deny(documents):
    documents.remove(find(documents, "NetworkPolicy", "almere-default-deny"))


def public_metrics(documents):
    documents.remove(find(documents, "Ingress", "almere-not-public"))


def no_socketio_affinity(documents):
    del find(documents, "Ingress", "almere-socketio")["metadata"]["annotations"][
        "nginx.ingress.kubernetes.io/upstream-hash-by"
    ]


def no_autoscaler(documents):
    documents.remove(find(documents, "HorizontalPodAutoscaler", "almere-rasa"))


def no_disruption_budget(documents):
    documents.remove(find(documents, "PodDisruptionBudget", "almere-rasa"))


def surge_without_waiting(documents):
    find(documents, "Deployment", "almere-rasa")["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = 1


def rasa_ready_on_the_root_path(documents):
    pod_spec(documents, "Deployment", "almere-rasa")["containers"][0]["readinessProbe"]["httpGet"]["path"] = (
        "/"
    )


def rasa_memory_below_the_measurement(documents):
    pod_spec(documents, "Deployment", "almere-rasa")["containers"][0]["resources"]["requests"]["memory"] = (
        "256Mi"
    )


def no_migration_job(documents):
    documents.remove(find(documents, "Job", "almere-migrate"))


def desk_without_schema_wait(documents):
    pod_spec(documents, "Deployment", "almere-desk")["initContainers"] = []


def secret_value_inline(documents):
    env = pod_spec(documents, "Deployment", "almere-rasa")["containers"][0]["env"]
    [variable] = [v for v in env if v["name"] == "ALMERE_REST_API_KEY"]
    variable.pop("valueFrom")
    variable["value"] = "not-so-secret"


BREAKAGES = {
    writable_root: "readOnlyRootFilesystem is not true",
    root_init_container: "container wait-for-schema: may run as root",
    no_memory_limit: "no memory limits",
    no_liveness_probe: "no livenessProbe",
    desk_reaches_actions: "lets in the action server more than the Rasa pods",
    ingress_namespace_reaches_actions: "lets in the action server more than the Rasa pods",
    database_from_anywhere: "database egress for pods that are not the app's",
    no_default_deny: "no default-deny NetworkPolicy",
    public_metrics: "/metrics is public",
    no_socketio_affinity: "not pinned to one pod",
    no_autoscaler: "no HorizontalPodAutoscaler",
    no_disruption_budget: "no PodDisruptionBudget",
    surge_without_waiting: "may stop a pod before its successor is ready",
    rasa_ready_on_the_root_path: "the readiness probe is not /webhooks/rest/ready",
    rasa_memory_below_the_measurement: "below the measured",
    no_migration_job: "no Job runs `almere db upgrade`",
    desk_without_schema_wait: "Deployment almere-desk: does not wait for the schema",
    secret_value_inline: "ALMERE_REST_API_KEY is not taken from a Secret",
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.__name__)
def test_the_policy_check_finds_a_broken_manifest(overlay, breakage):
    documents = copy.deepcopy(overlay)
    breakage(documents)
    found = check(documents)
    assert any(BREAKAGES[breakage] in problem for problem in found), found


def test_the_servers_wait_for_the_migration(tmp_path):
    """wait_for_schema.py (the servers' init container) waits while the ticket database is behind,
    and lets the server start once `almere db upgrade` has run."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    waiting = subprocess.Popen(
        [sys.executable, str(SCHEMA_CHECK)],
        env={"ALMERE_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = waiting.stdout.readline()
        assert first.startswith("Waiting for the ticket database: The ticket database is at revision none")
        assert waiting.poll() is None
        upgrade_database(url)
        started = time.monotonic()
        assert waiting.wait(timeout=30) == 0
        assert time.monotonic() - started < 15
        assert "The ticket database is at the current revision." in waiting.stdout.read()
    finally:
        waiting.kill()
        waiting.wait()
