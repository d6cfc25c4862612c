"""Domain errors of the control engine (no HTTP knowledge)."""


class OwnergraphError(Exception):
    """Base of every domain error."""


class EntityNotFound(OwnergraphError):
    def __init__(self, entity_id: str) -> None:
        super().__init__(f"no entity with id {entity_id!r}")
        self.entity_id = entity_id


class InvalidParameter(OwnergraphError):
    """A parameter outside its domain (threshold outside 0..1, unknown ruleset, ...)."""


class DatabaseUnavailable(OwnergraphError):
    """The graph store cannot be reached; the caller may retry later."""


class LoadInProgress(OwnergraphError):
    """Another load holds the graph's load lock; the caller may retry when it is done."""

    def __init__(self, holder: str | None) -> None:
        super().__init__(
            "another load is writing to this graph" + (f" ({holder})" if holder else "") + "; retry when it is done"
        )
        self.holder = holder


class WatchlistNotFound(OwnergraphError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no watchlist named {name!r}")
        self.name = name


class QueryTooExpensive(OwnergraphError):
    """A read ran past its time limit or the database's memory limit; a narrower question may answer."""
