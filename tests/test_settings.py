"""The settings contract: environment-driven, refusing to start insecurely."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFACTS_")}
    base["NEWSFACTS_VAR_DIR"] = os.environ["NEWSFACTS_VAR_DIR"]
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_manage("check")
    assert result.returncode != 0
    assert "NEWSFACTS_SECRET_KEY must be set" in result.stderr


def test_extract_claims_needs_no_secret_key_and_nothing_else_is_let_off(tmp_path):
    # Other tools run it on machines with no desk configured (docs/product.md's contract).
    article = tmp_path / "a.txt"
    article.write_text("More than 340 ships waited offshore on Thursday, officials said.\n")
    result = run_manage("extract_claims", str(article))
    assert result.returncode == 0, result.stderr
    assert '"type": "statistic"' in result.stdout
    # The exemption is by command, not by a flag anyone could set for the web app.
    for command in ("check", "rundesk", "import_articles"):
        result = run_manage(command, "extract_claims")
        assert result.returncode != 0
        assert "NEWSFACTS_SECRET_KEY must be set" in result.stderr


def test_it_starts_without_secret_key_in_debug():
    result = run_manage("check", NEWSFACTS_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_it_rejects_a_malformed_boolean():
    result = run_manage("check", NEWSFACTS_DEBUG="maybe")
    assert result.returncode != 0
    assert "NEWSFACTS_DEBUG must be true or false" in result.stderr


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        NEWSFACTS_SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        NEWSFACTS_ALLOWED_HOSTS="facts.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_accounts_are_refused_when_debug_is_off():
    result = run_manage(
        "create_demo_accounts", NEWSFACTS_SECRET_KEY="s" * 60, NEWSFACTS_DEMO_PASSWORD="pw"
    )
    assert result.returncode != 0
    assert "refused when debug is off" in result.stderr


def _database_options(**env: str) -> str:
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    result = run_manage(
        "shell",
        "-c",
        code,
        NEWSFACTS_DEBUG="1",
        DATABASE_URL="postgres://desk@db.invalid:5432/newsfacts",  # never connected to
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's own "objects imported"


def test_postgresql_prepares_statements_unless_told_not_to():
    assert _database_options() == "{'server_side_binding': True, 'prepare_threshold': 5}"
    assert _database_options(NEWSFACTS_DB_PREPARED_STATEMENTS="0") in ("{}", "None")
