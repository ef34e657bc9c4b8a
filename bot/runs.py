"""A worker's turn at one run of a scheduled job, and the seal that ends it.

A run is recorded as running before its work starts, so a second firing of the same period
does nothing. If the process dies while the run is recorded as running, the next lease
holder takes the run over (`bot.scheduler`). The run's first worker may still be alive
(cut off from the database long enough to lose the lease, or still stopping), so a job
whose work is one transaction, like queueing the weekly digest, marks the run done in
that same transaction, and only while the run is still its own: `Turn.seal`. Of two
workers that both did the work, exactly one commits it. Jobs whose work is safe to repeat
(the SLA sweep, the clocks, housekeeping) need no seal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from storage import queries
from storage.types import utcnow


class RunTakenOver(Exception):
    """The run is no longer this worker's: another took it over (or it already ended)."""


@dataclass(frozen=True)
class Turn:
    """`worker`'s turn at the run `run_id`; `by` names a command that asked for it."""

    run_id: int
    worker: str
    by: str | None = None
    clock: Callable[[], datetime] = field(default=utcnow, compare=False)

    def note(self, destinations: Sequence[str]) -> str:
        """The run's note for work queued for `destinations`."""
        note = "queued for " + ", ".join(destinations)
        return f"{note} by {self.by}" if self.by else note

    def seal(self, session: Session, destinations: Sequence[str]) -> None:
        """Mark the run done, in the caller's transaction, with what was queued; raises
        `RunTakenOver` (the caller's transaction then rolls back) when it is no longer
        this worker's."""
        sealed = queries.finish_run(
            session, run_id=self.run_id, worker=self.worker, status="done", at=self.clock(),
            detail=self.note(destinations),
        )  # fmt: skip
        if not sealed:
            raise RunTakenOver(f"run {self.run_id} is no longer {self.worker}'s")
