"""deploy/ describes a layout that fits together (compose cannot run here: its files are checked)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml
from support import require_service

from bot.config import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def test_every_file_compose_names_exists(compose):
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            assert (DEPLOY / build["context"]).resolve() == REPO_ROOT, name
            assert (REPO_ROOT / build["dockerfile"]).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), (name, source)
    command = " ".join(compose["services"]["rasa-1"]["command"])
    for path in ("deploy/endpoints.yml", "credentials.yml"):
        assert path in command and (REPO_ROOT / path).is_file()
    assert "models/almere.tar.gz" in command  # built by `make train`, copied into the image


def test_the_layout_has_two_rasa_servers_one_action_server_and_the_one_off_migration(compose):
    services = compose["services"]
    rasa = [
        name
        for name, s in services.items()
        if "bot.rasa.command run --port" in " ".join(s.get("command", []))
    ]
    assert len(rasa) >= 2
    assert services["actions"]["networks"] and "edge" not in services["actions"]["networks"]
    assert compose["networks"]["backend"]["internal"] is True
    assert services["migrate"]["command"] == ["almere", "db", "upgrade"]
    for name in (*rasa, "actions", "desk"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["desk"]["environment"]["ALMERE_COOKIE_SECURE"] == "true"
    assert services["actions"]["command"][:3] == ["python", "-m", "bot.rasa.action_server"]
    assert "ALMERE_ACTION_SERVER_SECRET" in services["actions"]["environment"]
    assert services["purge"]["command"][-3:] == ["purge", "--older-than", "90d"]


def test_every_variable_of_deploy_endpoints_is_set_for_the_rasa_servers(compose):
    lines = (DEPLOY / "endpoints.yml").read_text(encoding="utf-8").splitlines()
    wanted = {name for line in lines if not line.lstrip().startswith("#") for name in VARIABLE.findall(line)}
    assert wanted
    for name in ("rasa-1", "rasa-2"):
        assert wanted <= set(compose["services"][name]["environment"]), name


def test_rasa_reads_deploy_endpoints(monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    monkeypatch.setenv("ACTION_SERVER_URL", "http://actions:5055/webhook")
    monkeypatch.setenv("ALMERE_ACTION_SERVER_SECRET", "s3cret")
    for name, value in (("HOST", "redis"), ("PORT", "6379"), ("DB", "1"), ("PASSWORD", "secret")):
        monkeypatch.setenv(f"LOCK_STORE_REDIS_{name}", value)
    endpoints = AvailableEndpoints.read_endpoints(str(DEPLOY / "endpoints.yml"))
    assert endpoints.action.url == "http://actions:5055/webhook"
    assert endpoints.action.headers == {"Authorization": "Bearer s3cret"}
    assert endpoints.tracker_store.type == "bot.rasa.tracker_store.ConfiguredSQLTrackerStore"
    assert endpoints.lock_store.url == "redis"
    assert endpoints.lock_store.kwargs["password"] == "secret"


def test_the_proxy_sends_each_path_to_the_servers_compose_runs(compose):
    config = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    servers = set(re.findall(r"^\s*server \S+ ([\w-]+):\d+", config, flags=re.MULTILINE))
    assert servers and servers <= set(compose["services"])
    for backend in ("rasa_socketio", "rasa_rest", "desk"):
        assert f"backend {backend}" in config
    assert "cookie ALMERE_CHAT_NODE" in config  # socket.io: one connection, one server
    assert "/run/secrets/tls_pem" in config and "tls_pem" in compose["secrets"]


def test_haproxy_accepts_the_configuration(tmp_path):
    require_service(shutil.which("haproxy") is not None, "no haproxy here (make e2e installs it)")
    pem = tmp_path / "tls.pem"
    key = tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(pem),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pem.write_text(pem.read_text() + key.read_text())
    config = tmp_path / "haproxy.cfg"
    config.write_text((DEPLOY / "haproxy.cfg").read_text().replace("/run/secrets/tls_pem", str(pem)))
    result = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
