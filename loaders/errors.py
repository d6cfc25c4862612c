"""The one exception a loader raises: the load is refused, with every located finding."""

from __future__ import annotations

from ownergraph.graph.model import Finding

__all__ = ["LoadRejected"]

_SHOWN = 5  # enough to see the pattern of a broken file without flooding a terminal


class LoadRejected(Exception):
    """A file (or folder) has at least one fault; nothing of it may be written.

    ``findings`` holds all errors and warnings found, errors first, so a caller
    can print them all; ``str()`` summarises the first few with file:line column.
    """

    def __init__(self, findings: list[Finding], *, source: str | None = None) -> None:
        ordered = sorted(findings, key=lambda f: f.severity != "error")  # stable: keeps file order
        self.findings: list[Finding] = ordered
        self.source = source
        super().__init__(self._summary())

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def _summary(self) -> str:
        errors = self.errors
        what = f"{self.source}: " if self.source else ""
        warnings = len(self.findings) - len(errors)
        head = f"{what}load rejected: {len(errors)} error(s), {warnings} warning(s)"
        lines = [head, *(f"  {f}" for f in self.findings[:_SHOWN])]
        if len(self.findings) > _SHOWN:
            lines.append(f"  ... and {len(self.findings) - _SHOWN} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._summary()
