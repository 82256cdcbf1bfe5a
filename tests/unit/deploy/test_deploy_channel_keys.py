"""The deployment layout protects the chat channels: a REST API key and one session secret."""

from __future__ import annotations

import yaml

from bot.config import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"


def test_every_rasa_server_requires_the_rest_key_and_the_session_secret():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    rasa = [
        name
        for name, service in compose["services"].items()
        if "bot.rasa.command run" in " ".join(service.get("command", []))
    ]
    assert len(rasa) >= 2
    for name in rasa:
        environment = compose["services"][name]["environment"]
        # "${VAR:?message}": docker compose refuses to start without it.
        assert environment["ALMERE_REST_API_KEY"].startswith("${ALMERE_REST_API_KEY:?")
        assert environment["ALMERE_CHAT_SESSION_SECRET"].startswith("${ALMERE_CHAT_SESSION_SECRET:?")


def test_the_operator_guide_names_both():
    guide = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "ALMERE_REST_API_KEY" in guide and "ALMERE_CHAT_SESSION_SECRET" in guide


def test_the_desk_checks_session_tokens_with_the_rasa_servers_secret():
    """The site answers the widget's history request (another subdomain) only for a token the Rasa
    servers signed: without the same secret every request would be refused."""
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    desk = compose["services"]["desk"]["environment"]
    assert desk["ALMERE_CHAT_SESSION_SECRET"].startswith("${ALMERE_CHAT_SESSION_SECRET:?")
    manifest = list(
        yaml.safe_load_all((DEPLOY / "kubernetes" / "base" / "desk.yaml").read_text(encoding="utf-8"))
    )
    names = [
        variable["name"]
        for document in manifest
        if document and document.get("kind") == "Deployment"
        for container in document["spec"]["template"]["spec"]["containers"]
        for variable in container.get("env", [])
    ]
    assert "ALMERE_CHAT_SESSION_SECRET" in names
