"""Settings: one class, read from the environment with the prefix RAREONCO_."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAREONCO_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    secret_key: str | None = None
    max_upload_mb: int = 200
    session_hours: int = 12
    #: threads that run request handlers (database work) per worker process; see
    #: `web.app.create_app` for why this is small
    request_threads: int = 8
    #: outgoing mail (follow-up reminders to patients); no host = reminders are not sent
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "followup@rareonco.invalid"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'rareonco.sqlite3').resolve()}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def effective_secret_key(self) -> str:
        """A secret from the environment, else one kept in the data folder (made once)."""
        if self.secret_key:
            return self.secret_key
        import secrets

        path = self.ensure_data_dir() / "secret.key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
