"""bot/settings.py: the one place that reads IEP_* variables, and what it derives."""

from __future__ import annotations

import os
import subprocess
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from bot import ROOT
from bot.settings import Settings

EVERY_VARIABLE = {
    "IEP_RASA_PORT": "6005",
    "IEP_ACTION_PORT": "6055",
    "IEP_WEB_PORT": "9090",
    "IEP_VAR_DIR": "/srv/iep/var",
    "IEP_MODELS_DIR": "/srv/iep/models",
    "IEP_DATABASE_URL": "postgresql://iep@db.internal:5432/iep_guide",
    "IEP_ALLOWED_ORIGINS": "https://parents.example.org, https://www.parents.example.org",
    "IEP_PUBLIC_URL": "https://parents.example.org/guide/",
    "IEP_RETENTION_DAYS": "30",
    "IEP_CONVERSATION_DAYS": "7",
}


def test_defaults_run_everything_on_this_machine_from_the_repository():
    s = Settings.from_env({})
    assert (s.rasa_port, s.action_port, s.web_port) == (5005, 5055, 8080)
    assert s.var_dir == ROOT / "var" and s.models_dir == ROOT / "models"
    assert s.run_dir == ROOT / "var" / "run" and s.log_dir == ROOT / "var" / "log"
    assert s.allowed_origins == ("http://localhost:8080", "http://127.0.0.1:8080")
    assert s.public_url == "http://localhost:8080"
    assert (s.retention_days, s.conversation_days) == (90, 30)
    assert s == Settings()  # the dataclass's own defaults say the same


def test_without_a_database_url_each_kind_gets_its_own_sqlite_file(tmp_path):
    s = Settings.from_env({"IEP_VAR_DIR": str(tmp_path / "fresh")})
    assert s.database_url("tracker") == f"sqlite:///{tmp_path / 'fresh' / 'tracker.db'}"
    assert s.database_url("drafts") == f"sqlite:///{tmp_path / 'fresh' / 'drafts.db'}"
    assert (tmp_path / "fresh").is_dir()  # SQLite would not make the folder itself


def test_every_variable_overrides_its_default():
    s = Settings.from_env(EVERY_VARIABLE)
    assert (s.rasa_port, s.action_port, s.web_port) == (6005, 6055, 9090)
    assert s.var_dir == Path("/srv/iep/var") and s.models_dir == Path("/srv/iep/models")
    assert s.run_dir == Path("/srv/iep/var/run") and s.log_dir == Path("/srv/iep/var/log")
    url = EVERY_VARIABLE["IEP_DATABASE_URL"]
    assert s.database_url("tracker") == s.database_url("drafts") == url
    assert s.allowed_origins == ("https://parents.example.org", "https://www.parents.example.org")
    assert s.public_url == "https://parents.example.org/guide"  # links add "/drafts/..."
    assert (s.retention_days, s.conversation_days) == (30, 7)


def test_the_pages_own_address_follows_its_port_unless_set():
    moved = Settings.from_env({"IEP_WEB_PORT": "9100"})
    assert moved.allowed_origins == ("http://localhost:9100", "http://127.0.0.1:9100")
    assert moved.public_url == "http://localhost:9100"
    pinned = Settings.from_env(
        {
            "IEP_WEB_PORT": "9100",
            "IEP_ALLOWED_ORIGINS": "https://a.example",
            "IEP_PUBLIC_URL": "https://a.example",
        }
    )
    assert pinned.allowed_origins == ("https://a.example",)
    assert pinned.public_url == "https://a.example"


def test_empty_allowed_origins_means_no_web_page_may_talk_to_the_bot():
    assert Settings.from_env({"IEP_ALLOWED_ORIGINS": ""}).allowed_origins == ()
    assert Settings.from_env({"IEP_ALLOWED_ORIGINS": " , "}).allowed_origins == ()


def test_build_outputs_stay_in_the_repository_when_the_data_folder_moves():
    # config.yml names the spaCy pipeline by its path in the repository.
    s = Settings.from_env({"IEP_VAR_DIR": "/srv/iep/var"})
    assert s.spacy_dir == ROOT / "var" / "spacy" / "iep_en"
    assert "model: var/spacy/iep_en" in (ROOT / "config.yml").read_text()
    assert s.minilm_dir == ROOT / "var" / "minilm"
    assert s.results_dir == ROOT / "results"


@pytest.mark.parametrize("raw", ["five", "0", "70000"])
def test_a_bad_port_names_the_variable(raw):
    with pytest.raises(ValueError, match="IEP_WEB_PORT"):
        Settings.from_env({"IEP_WEB_PORT": raw})


@pytest.mark.parametrize("raw", ["ninety", "0", "-5", "1.5"])
def test_a_bad_retention_names_the_variable(raw):
    with pytest.raises(ValueError, match="IEP_RETENTION_DAYS"):
        Settings.from_env({"IEP_RETENTION_DAYS": raw})


def test_a_child_process_gets_the_same_settings():
    for s in (
        Settings(),
        Settings.from_env(EVERY_VARIABLE),
        Settings.from_env({"IEP_ALLOWED_ORIGINS": ""}),
    ):
        assert Settings.from_env(s.to_env()) == s


def test_settings_cannot_change_after_they_are_read():
    with pytest.raises(FrozenInstanceError):
        Settings().web_port = 1


def make_variables(*names: str, **env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("IEP_")}
    out = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "--eval",
            "print-%: ; @echo $($*)",
            *(f"print-{name}" for name in names),
        ],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_the_makefile_agrees_with_the_settings():
    models, spacy, minilm = make_variables("MODELS_DIR", "SPACY", "MINILM")
    s = Settings.from_env({})
    assert ROOT / models == s.models_dir
    assert (ROOT / spacy).parent == s.spacy_dir
    assert (ROOT / minilm).parent == s.minilm_dir
    assert make_variables("MODELS_DIR", IEP_MODELS_DIR="/srv/iep/models") == [
        str(Settings.from_env({"IEP_MODELS_DIR": "/srv/iep/models"}).models_dir)
    ]
