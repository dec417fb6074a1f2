"""The run command's flags: defaults from the environment, and what the servers inherit."""

from __future__ import annotations

from pathlib import Path

from bot.launcher import child_env, parse_args
from bot.settings import Settings


def test_flags_default_to_the_environment():
    s = parse_args(
        ["run"], {"IEP_RASA_PORT": "6005", "IEP_WEB_PORT": "9090", "IEP_MODELS_DIR": "/srv/models"}
    )
    assert (s.rasa_port, s.action_port, s.web_port) == (6005, 5055, 9090)
    assert s.models_dir == Path("/srv/models")


def test_flags_win_and_the_pages_address_moves_with_its_port():
    s = parse_args(
        ["run", "--web-port", "9100", "--rasa-port", "6100", "--models", "/m"],
        {"IEP_WEB_PORT": "9090", "IEP_VAR_DIR": "/srv/var"},
    )
    assert (s.rasa_port, s.web_port, s.models_dir) == (6100, 9100, Path("/m"))
    assert s.allowed_origins == ("http://localhost:9100", "http://127.0.0.1:9100")
    assert s.public_url == "http://localhost:9100"
    assert s.var_dir == Path("/srv/var")  # no flag for it: the environment's


def test_the_servers_read_the_launchers_settings():
    s = parse_args(["run", "--web-port", "9100"], {"IEP_ALLOWED_ORIGINS": ""})
    env = child_env(s)
    assert Settings.from_env(env) == s
    assert env["IEP_ALLOWED_ORIGINS"] == ""  # still "no web page", not the default
