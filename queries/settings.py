"""Connection settings, from the environment with the ecosystem's names."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ownergraph.localneo4j import server as local_server


class Neo4jSettings(BaseSettings):
    """``NEO4J_URI`` set means "use that server"; unset means the local one."""

    model_config = SettingsConfigDict(env_prefix="NEO4J_", extra="ignore")

    uri: str | None = None
    username: str = "neo4j"
    password: SecretStr | None = None
    database: str = "neo4j"
    pool_size: int = 40
    """Connections per process (``NEO4J_POOL_SIZE``): the API's thread pool runs 40 requests at once."""

    @property
    def is_local(self) -> bool:
        return self.uri is None

    def resolved(self, instance: local_server.Instance = local_server.MAIN) -> tuple[str, str, str]:
        """(uri, username, password), reading the local server's password file when needed."""
        if self.uri is not None:
            password = self.password.get_secret_value() if self.password else ""
            return self.uri, self.username, password
        password = (
            self.password.get_secret_value()
            if self.password
            else (instance.password() if instance.password_file.exists() else "")
        )
        return instance.bolt_uri, "neo4j", password
