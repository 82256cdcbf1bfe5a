"""The snippet's server side without a browser (bot/site/public/embed.py): the loader, the widget's
settings in each language with absolute URLs, and CORS for the allowed origins only."""

from __future__ import annotations

import pytest
from site_apps import site_app

CITY = "https://www.almere.nl"
OTHER = "https://evil.example"


@pytest.fixture
def client():
    app = site_app(
        ALMERE_RASA_PUBLIC_URL="https://chat.example.org",
        ALMERE_CHAT_ORIGINS=f"{CITY},https://loket.almere.nl",
    )
    return app.test_client()


def test_the_loader_is_a_script_any_page_may_load(client):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "window.AlmereChat" in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "you"), [("en", "You"), ("nl", "Jij"), ("de", "You")])
def test_the_settings_come_in_the_widgets_language_with_absolute_urls(client, language, you):
    config = client.get(f"/widget/config?language={language}", headers={"Origin": CITY}).get_json()
    assert config["texts"]["you"] == you
    assert config["rasa_url"] == "https://chat.example.org"
    assert config["feedback_url"] == "http://localhost/feedback"
    assert config["answer_feedback_url"] == "http://localhost/answer-feedback"
    assert config["scripts"]["chat"] == "http://localhost/static/chat.js"
    markup = config["markup"]
    assert f'lang="{config["language"]}"' in markup and 'id="chat-launcher"' in markup
    assert "style=" not in markup and "<script" not in markup and "<style" not in markup


@pytest.mark.parametrize("path", ["/widget/config", "/static/widget.css"])
def test_only_the_allowed_origins_may_read_the_settings_and_the_stylesheet(client, path):
    allowed = client.get(path, headers={"Origin": CITY})
    assert allowed.headers["Access-Control-Allow-Origin"] == CITY
    assert "Origin" in allowed.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    refused = client.get(path, headers={"Origin": OTHER})
    assert refused.status_code == 200 and "Access-Control-Allow-Origin" not in refused.headers
    assert "Origin" in refused.headers["Vary"]  # a cache keeps the two answers apart


def test_a_preflight_from_an_allowed_origin_is_answered(client):
    asked = {"Origin": CITY, "Access-Control-Request-Method": "GET"}
    response = client.options("/widget/config", headers=asked)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == CITY
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    refused = client.options("/widget/config", headers={**asked, "Origin": OTHER})
    assert "Access-Control-Allow-Origin" not in refused.headers
