"""API settings from the environment (``OWNERGRAPH_*``; Neo4j from ``NEO4J_*``)."""

from __future__ import annotations

import os
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ownergraph.queries.settings import Neo4jSettings

# Tokens that appear in tutorials and .env templates: a server holding one is as open as one without.
_WEAK_TOKENS = frozenset(
    {"changeme", "change-me", "change_me", "changethis", "secret", "password", "token", "admin", "default", "test"}
)
MIN_TOKEN_LENGTH = 24


class ApiSettings(BaseSettings):
    """Everything ``create_app`` needs; built from the environment unless given."""

    model_config = SettingsConfigDict(env_prefix="OWNERGRAPH_", extra="ignore")

    # Without a token the API is read-only: write routes answer 403.
    api_token: SecretStr | None = None
    # Uploads above this are refused with 413 before they reach a loader.
    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    # What an upload may inflate to (zip members, gzip files, XLSX parts): a zip bomb stops here, while inflating.
    max_inflated_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    # Bodies of the other routes (JSON: /screen, /watchlists), refused with 413 while they arrive.
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # Seconds each database read of a request may run before the database ends it (answered 503 too_expensive).
    read_timeout_seconds: float = Field(default=4.0, gt=0)
    # Heavy routes (subgraph reads and computations) running at once; more wait up to heavy_wait_seconds
    # (at most heavy_max_waiting of them), then get 503 with Retry-After. /healthz and light routes never wait.
    # Default: one per CPU (they compute in Python: more threads than cores only queue on the interpreter lock).
    heavy_concurrency: int = Field(default_factory=lambda: max(2, os.cpu_count() or 2), ge=1)
    heavy_max_waiting: int = Field(default=128, ge=0)
    heavy_wait_seconds: float = Field(default=3.0, ge=0)
    # What a 503 tells clients to wait before retrying (seconds).
    retry_after_seconds: int = Field(default=5, ge=1)
    # Upper bound on the ids of /common-owners and /screen, to bound the work of one request.
    max_ids: int = Field(default=100, ge=1)
    # The entity ceiling of one graph page (beyond it nodes collapse into "+N more").
    graph_node_budget: int = Field(default=300, ge=1)
    # Where the explorer's "open in the Neo4j Browser" links point.
    neo4j_browser_url: str = Field(default="http://127.0.0.1:7474/browser/", max_length=500)
    # Move the materialised control to today when the service starts (in the background).
    refresh_on_start: bool = True
    # Host names the API answers to (the Host header, port aside); anything else is refused with 400 so
    # that a web page cannot reach a local API by DNS rebinding. "testserver" is the test client's name.
    # Environment: OWNERGRAPH_ALLOWED_HOSTS=api.example.org,127.0.0.1 ("*" allows any).
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost", "::1", "testserver"], min_length=1
    )
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value

    @field_validator("api_token", mode="before")
    @classmethod
    def _empty_token_means_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("api_token")
    @classmethod
    def _refuse_weak_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value()
        if token.strip().lower() in _WEAK_TOKENS or "changeme" in token.lower():
            raise ValueError("OWNERGRAPH_API_TOKEN is a placeholder; set a random token (e.g. `openssl rand -hex 32`)")
        if len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"OWNERGRAPH_API_TOKEN must be at least {MIN_TOKEN_LENGTH} characters")
        if len(set(token)) < 8:
            raise ValueError("OWNERGRAPH_API_TOKEN is too repetitive to be a secret")
        return value

    @property
    def read_only(self) -> bool:
        return self.api_token is None
