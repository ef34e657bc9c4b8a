"""The funnel's one vocabulary: stages in order, exits, and the reason codes of each exit."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Funnel stages, in order. Reaching one implies every stage before it."""

    LEAD = "lead"
    PROFILED = "profiled"
    ACCEPTED = "accepted"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    WON = "won"

    @property
    def rank(self) -> int:
        return STAGES.index(self)

    @property
    def reached_column(self) -> str | None:
        """The `Lead` column stamped when a lead reaches this stage (`lead` is `created_at`)."""
        return _REACHED_COLUMN[self]


STAGES: tuple[Stage, ...] = tuple(Stage)

_REACHED_COLUMN = {
    Stage.LEAD: "created_at",
    Stage.PROFILED: "profiled_at",
    Stage.ACCEPTED: "accepted_at",
    Stage.CONTACTED: "contacted_at",
    Stage.QUALIFIED: "qualified_at",
    Stage.WON: "won_at",
}


# The generic lead's fields, as DESIGN.md's intake contract names them (`POST /leads`, and
# what every platform mapping and export reader produces).
GENERIC_LEAD_FIELDS: tuple[str, ...] = (
    "external_id",
    "source",
    "campaign",
    "channel",
    "name",
    "email",
    "phone",
    "company",
    "job_title",
    "zone",
    "age_range",
    "service",
    "stage",
    "score",
    "summary",
    "history",
    "approach",
    "profile_url",
    "estimated_value",
    "created_at",
    "custom_fields",
)


class Exit(StrEnum):
    """Ways a lead leaves the funnel, each with a mandatory reason code."""

    REJECTED = "rejected"
    LOST = "lost"
    NURTURE = "nurture"


EXIT_REASONS: dict[Exit, tuple[str, ...]] = {
    Exit.REJECTED: (
        "not_icp",
        "wrong_region",
        "service_not_offered",
        "no_budget",
        "bad_timing",
        "no_authority",
        "invalid_contact",
        "unreachable",
        "duplicate",
        "spam_test",
        "job_seeker_or_vendor",
        "competitor",
        "already_customer",
        "other",
    ),
    Exit.LOST: (
        "price",
        "competitor",
        "no_decision",
        "timing",
        "budget_cut",
        "product_fit",
        "other",
    ),
    Exit.NURTURE: ("not_ready", "no_budget", "needs_education", "unreachable", "other"),
}

# Which stages each exit may be taken from (DESIGN: rejected from profiled on, lost once the
# seller engaged, nurture from anywhere a lead is open with sales).
EXIT_FROM: dict[Exit, frozenset[Stage]] = {
    Exit.REJECTED: frozenset(STAGES[Stage.PROFILED.rank : Stage.WON.rank]),
    Exit.LOST: frozenset(STAGES[Stage.ACCEPTED.rank : Stage.WON.rank]),
    Exit.NURTURE: frozenset(STAGES[Stage.PROFILED.rank : Stage.WON.rank]),
}

ALL_REASONS: tuple[str, ...] = tuple(dict.fromkeys(r for rs in EXIT_REASONS.values() for r in rs))


def is_valid_reason(exit_: Exit, code: str) -> bool:
    """True when `code` is one of the reasons offered for `exit_`."""
    return code in EXIT_REASONS[exit_]


# How a seller reached out, and how it went (a connected attempt is a contact).
ATTEMPT_CHANNELS: tuple[str, ...] = ("call", "email", "whatsapp", "other")
ATTEMPT_OUTCOMES: tuple[str, ...] = ("no_answer", "left_message", "connected")
