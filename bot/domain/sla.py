"""The SLA policy: what marketing and sales promised each other, as settings managers change.

Every key of DESIGN.md's "SLA policy keys" has a type, a default that suits a team starting
out, and a rule for reading it as people type it (`KEY=VALUE` on the command line, a field of
the `/sla edit` modal). `read_changes` reads many at once and reports every problem together,
each as a catalog key and its parameters, so the command line and Slack say it in the team's
language. Every change is stored as a new version (`change_policy`); the highest version is
the policy in force, and with none stored the defaults are (version 0).

The plan computes marketing's commitment backwards from the revenue goal:

    sales_needed = ceil(revenue_goal / average_deal_value)
    leads_needed = ceil(sales_needed * leads_per_sale)

in exact arithmetic, so 100,000 / 5,000 is 20 sales, never 21.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.domain.numbers import parse_amount
from bot.domain.schedule import DAY_NAMES, Day
from bot.i18n import Translator
from storage import queries
from storage.models import LeadBase, SlaPolicy

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.domain.business_time import Calendar

logger = logging.getLogger(__name__)

# Who changed a version: a Slack user id, or one of these.
CLI_ACTOR = "cli"
DEFAULT_ACTOR = "default"  # version 0, the defaults nobody has changed yet

PERIODS = ("week", "month", "quarter")
GIVE_UP_RULES = ("nurture", "reject")
ASSIGNMENTS = ("claim", "round_robin")
# The fields a handed-over lead can be required to carry: the intake contract's.
LEAD_FIELDS = tuple(LeadBase.model_fields)

WHOLE_MAX = 1_000_000  # keeps every clock and count far inside what datetime can add
AMOUNT_MAX = 10**15  # money beyond any team's goal; keeps every amount readable back
WEIGHT_MAX = 100
HISTORY_SHOWN = 5
_WRITE_TRIES = 3

_ALIASES = {
    "semana": "week",
    "mes": "month",
    "trimestre": "quarter",
    "nutrir": "nurture",
    "rechazar": "reject",
    "round-robin": "round_robin",
    "roundrobin": "round_robin",
}
_TRUE = frozenset({"true", "yes", "y", "on", "1", "si", "verdadero"})
_FALSE = frozenset({"false", "no", "n", "off", "0", "falso"})
_EMPTY = frozenset({"", "none", "ninguno", "-", "–"})
_CLOCK = r"([0-9]{1,2})(?::([0-9]{2}))?"
_HOURS = re.compile(rf"^{_CLOCK}\s*[-–]\s*{_CLOCK}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_WEIGHT = re.compile(r"^[0-9]{1,3}$")


# -- Errors ---------------------------------------------------------------------------------


class PolicyErrors(ValueError):
    """Settings that cannot be taken: every problem at once, by the key it concerns.

    `problems` maps each key (as typed) to its catalog key and parameters, for a form to show
    beside its field; `render` gives them all as lines in a translator's language; `str` is
    the English rendering.
    """

    def __init__(self, problems: Mapping[str, tuple[str, dict[str, Any]]]):
        self.problems: dict[str, tuple[str, dict[str, Any]]] = dict(problems)
        super().__init__(self.render(Translator("en")))

    def render(self, translate: Translator) -> str:
        """One line per problem, each naming its key."""
        return "\n".join(translate(key, **params) for key, params in self.problems.values())


class PlanError(ValueError):
    """The plan cannot be computed from these numbers: one sentence saying which and why.

    `key` and `params` are the catalog entry; `render` says it in a translator's language.
    """

    def __init__(self, key: str, **params: Any):
        self.key = key
        self.params = params
        super().__init__(self.render(Translator("en")))

    def render(self, translate: Translator) -> str:
        return translate(self.key, **self.params)


class _Bad(ValueError):
    """One value that cannot be read: its catalog key and parameters (beyond key and value)."""

    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key = key
        self.params = params


# -- Reading and writing each kind of value ------------------------------------------------


def _plain(text: str) -> str:
    """Lower case, no accents, no surrounding spaces: `Sí ` and `si` are one word."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().lower()


def _number_text(value: float) -> str:
    """A number as it reads back as itself under `parse_amount`: no thousands marks, and
    never exactly three decimals, which that rule would take for thousands (1.125 → 1.1250)."""
    exact = Decimal(repr(float(value)))
    if exact == exact.to_integral_value():
        return str(int(exact))
    text = format(exact.normalize(), "f")
    return text + "0" if len(text.partition(".")[2]) == 3 else text


def _choice(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def read(text: str) -> str:
        word = _plain(text)
        word = _ALIASES.get(word, word)
        if word not in allowed:
            raise _Bad("sla.error.choice", allowed=", ".join(allowed))
        return word

    return read


def _amount(example: str) -> Callable[[str], float]:
    def read(text: str) -> float:
        number = parse_amount(text)
        if number is None or not 0 <= number <= AMOUNT_MAX:
            raise _Bad("sla.error.amount", example=example)
        return number

    return read


def _leads_per_sale(text: str) -> float:
    number = parse_amount(text)
    if number is None or not 1 <= number <= AMOUNT_MAX:
        raise _Bad("sla.error.leads_per_sale")
    return number


def _share(text: str) -> float:
    body = text.strip()
    percent = body.endswith("%")
    number = parse_amount(body.removesuffix("%")) if body else None
    if number is not None and percent:
        number /= 100
    if number is None or not 0 <= number <= 1:
        raise _Bad("sla.error.share")
    return number


def _whole_number(text: str) -> int | None:
    number = parse_amount(text)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _whole(minimum: int, example: int) -> Callable[[str], int]:
    def read(text: str) -> int:
        number = _whole_number(text)
        if number is None or not minimum <= number <= WHOLE_MAX:
            raise _Bad(
                "sla.error.whole", minimum=minimum, maximum=f"{WHOLE_MAX:,}", example=example
            )
        return number

    return read


def _cap(text: str) -> int | None:
    if _plain(text) in _EMPTY:
        return None
    number = _whole_number(text)
    if number is None or not 1 <= number <= WHOLE_MAX:
        raise _Bad("sla.error.open_leads_cap")
    return number


def _weekday(word: str) -> int:
    day = DAY_NAMES.get(_plain(word))
    if day is None:
        raise _Bad("sla.error.work_days")
    return day.number


def _work_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        first, dash, last = part.partition("-")
        start = _weekday(first)
        end = _weekday(last) if dash else start
        # A range may run over the weekend: fri-mon is Friday to Monday.
        days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    if not days:
        raise _Bad("sla.error.work_days")
    return frozenset(days)


def _work_days_text(days: frozenset[int]) -> str:
    """Runs of three days or more as ranges (`mon-fri`), others one by one (`mon,wed`)."""
    names = [day.value for day in Day]
    parts, ordered = [], sorted(days)
    while ordered:
        run = [ordered.pop(0)]
        while ordered and ordered[0] == run[-1] + 1:
            run.append(ordered.pop(0))
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}-{names[run[-1]]}")
        else:
            parts.extend(names[day] for day in run)
    return ",".join(parts)


def _work_hours(text: str) -> tuple[time, time | None]:
    match = _HOURS.match(text.strip())
    if match is None:
        raise _Bad("sla.error.work_hours")
    open_h, open_m, close_h, close_m = (int(part or 0) for part in match.groups())
    if open_h > 23 or open_m > 59 or close_m > 59 or close_h > 24 or (close_h == 24 and close_m):
        raise _Bad("sla.error.work_hours")
    opens = time(open_h, open_m)
    closes = None if close_h == 24 else time(close_h, close_m)
    if closes is not None and closes <= opens:
        raise _Bad("sla.error.work_hours_order")
    return opens, closes


def _work_hours_text(hours: tuple[time, time | None]) -> str:
    opens, closes = hours
    return f"{opens:%H:%M}-{'24:00' if closes is None else f'{closes:%H:%M}'}"


def _holidays(text: str) -> frozenset[date]:
    days = set()
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        try:
            if not _ISO_DATE.match(part):
                raise ValueError(part)
            days.add(date.fromisoformat(part))
        except ValueError:
            raise _Bad("sla.error.holidays", item=part) from None
    return frozenset(days)


def _seller_weights(text: str) -> dict[str, int]:
    weights: dict[str, int] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        user, colon, weight = (piece.strip() for piece in part.partition(":"))
        user = user.upper()
        if not (colon and _USER_ID.match(user) and _WEIGHT.match(weight)):
            raise _Bad("sla.error.seller_weights", item=part, maximum=WEIGHT_MAX)
        if not 1 <= int(weight) <= WEIGHT_MAX:
            raise _Bad("sla.error.seller_weights", item=part, maximum=WEIGHT_MAX)
        if user in weights:
            raise _Bad("sla.error.seller_repeated", user=user)
        weights[user] = int(weight)
    return dict(sorted(weights.items()))


def _required_fields(text: str) -> tuple[tuple[str, ...], ...]:
    groups: list[tuple[str, ...]] = []
    for part in text.split(","):
        names = [name.strip().lower() for name in part.split("|")]
        for name in filter(None, names):
            if name not in LEAD_FIELDS:
                raise _Bad("sla.error.required_fields", item=name, fields=", ".join(LEAD_FIELDS))
        group = tuple(dict.fromkeys(filter(None, names)))
        if group and group not in groups:
            groups.append(group)
    return tuple(groups)


def _boolean(text: str) -> bool:
    word = _plain(text)
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _Bad("sla.error.boolean")


@dataclass(frozen=True)
class _Setting:
    read: Callable[[str], Any]
    write: Callable[[Any], str] = str


_SETTINGS: dict[str, _Setting] = {
    "period": _Setting(_choice(PERIODS)),
    "revenue_goal": _Setting(_amount("100,000"), _number_text),
    "average_deal_value": _Setting(_amount("6,667"), _number_text),
    "leads_per_sale": _Setting(_leads_per_sale, _number_text),
    "profiled_share_min": _Setting(_share, _number_text),
    "first_touch_minutes": _Setting(_whole(1, 60)),
    "unclaimed_after_minutes": _Setting(_whole(1, 30)),
    "attempts_min": _Setting(_whole(1, 6)),
    "attempts_window_days": _Setting(_whole(1, 10)),
    "give_up": _Setting(_choice(GIVE_UP_RULES)),
    "assignment": _Setting(_choice(ASSIGNMENTS)),
    "work_days": _Setting(_work_days, _work_days_text),
    "work_hours": _Setting(_work_hours, _work_hours_text),
    "holidays": _Setting(_holidays, lambda days: ",".join(str(day) for day in sorted(days))),
    "seller_weights": _Setting(
        _seller_weights, lambda weights: ",".join(f"{user}:{n}" for user, n in weights.items())
    ),
    "open_leads_cap": _Setting(_cap, lambda cap: "" if cap is None else str(cap)),
    "required_fields": _Setting(
        _required_fields, lambda groups: ",".join("|".join(group) for group in groups)
    ),
    "sellers_see_all": _Setting(_boolean, lambda value: "true" if value else "false"),
}
KEYS: tuple[str, ...] = tuple(_SETTINGS)


# -- The policy -----------------------------------------------------------------------------

DEFAULT_REQUIRED_FIELDS = (
    ("email", "phone"),
    ("summary",),
    ("history",),
    ("approach",),
    ("profile_url",),
)


@dataclass(frozen=True)
class Policy:
    """The SLA in force: one typed attribute per policy key.

    Defaults suit a team starting out: targets unset (0) until the team states them, one
    sale every 8 profiled leads (DESIGN's example, a middling MQL-to-sale rate), 60% of
    captured leads profiled, first touch within a business hour, a lead nobody takes
    offered again after 30 business minutes, 6 attempts over 10 business days then back to
    nurture, sellers claiming cards, Monday to Friday 09:00-18:00.
    """

    period: str = "month"
    revenue_goal: float = 0.0
    average_deal_value: float = 0.0
    leads_per_sale: float = 8.0
    profiled_share_min: float = 0.6
    first_touch_minutes: int = 60
    unclaimed_after_minutes: int = 30
    attempts_min: int = 6
    attempts_window_days: int = 10
    give_up: str = "nurture"
    assignment: str = "claim"
    # 0 = Monday … 6 = Sunday, as `date.weekday()` counts.
    work_days: frozenset[int] = frozenset(range(5))
    # Opening and closing wall-clock times; closing None is 24:00.
    work_hours: tuple[time, time | None] = (time(9), time(18))
    holidays: frozenset[date] = frozenset()
    # Round-robin weight by Slack user id; a seller not named weighs 1.
    seller_weights: dict[str, int] = field(default_factory=dict, hash=False)
    # Open leads a seller may hold at once; None: no cap.
    open_leads_cap: int | None = None
    # Each group is met when the lead carries any of its fields (`email|phone`).
    required_fields: tuple[tuple[str, ...], ...] = DEFAULT_REQUIRED_FIELDS
    sellers_see_all: bool = False

    @classmethod
    def defaults(cls) -> Policy:
        """The policy of a team that has changed nothing."""
        return cls()

    @classmethod
    def from_text(cls, values: Mapping[str, Any]) -> Policy:
        """A stored version read back. A key missing (added by a later release) or no longer
        readable keeps its default, and is logged; a key no longer known is ignored."""
        read: dict[str, Any] = {}
        for key, setting in _SETTINGS.items():
            if key not in values:
                continue
            try:
                read[key] = setting.read(str(values[key]))
            except _Bad:
                logger.warning(
                    "stored SLA policy: %s=%r unreadable, default kept", key, values[key]
                )
        return cls(**read)

    def as_text(self) -> dict[str, str]:
        """Every key as a person would type it back: `read_changes` of this is this policy."""
        return {key: setting.write(getattr(self, key)) for key, setting in _SETTINGS.items()}

    def with_changes(self, changes: Mapping[str, Any]) -> Policy:
        """This policy with `changes` (typed values, as `read_changes` gives them)."""
        unknown = set(changes) - set(KEYS)
        if unknown:
            raise ValueError(f"not SLA policy keys: {sorted(unknown)}")
        return replace(self, **changes)

    @property
    def required_groups(self) -> tuple[tuple[str, ...], ...]:
        """`required_fields`: the groups of fields a handed-over lead must carry."""
        return self.required_fields

    def calendar(self, tz: ZoneInfo) -> Calendar:
        """The team's business calendar in `tz`: the clock every SLA deadline runs on."""
        from bot.domain.business_time import Calendar

        opens, closes = self.work_hours
        return Calendar(
            work_days=self.work_days, opens=opens, closes=closes, holidays=self.holidays, tz=tz
        )

    def plan(self) -> Plan | None:
        """Marketing's commitment for a period under this policy; None until the revenue
        goal and the average deal value are both set."""
        if self.revenue_goal <= 0 or self.average_deal_value <= 0:
            return None
        return plan(self.revenue_goal, self.average_deal_value, self.leads_per_sale)


def read_changes(assignments: Mapping[str, str]) -> dict[str, Any]:
    """`{key: typed text}` read into typed values, or `PolicyErrors` naming every key that
    is unknown or whose value cannot be taken. Keys ignore case and accept `-` for `_`."""
    changes: dict[str, Any] = {}
    problems: dict[str, tuple[str, dict[str, Any]]] = {}
    for typed, text in assignments.items():
        key = typed.strip().lower().replace("-", "_")
        value = text.strip()
        setting = _SETTINGS.get(key)
        if setting is None:
            known = ", ".join(KEYS)
            problems[typed] = ("sla.error.unknown_key", {"setting": typed, "known": known})
            continue
        try:
            changes[key] = setting.read(value)
        except _Bad as bad:
            problems[key] = (bad.key, {"setting": key, "value": value, **bad.params})
    if problems:
        raise PolicyErrors(problems)
    return changes


# -- Versions and history -------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyVersion:
    """The policy in force, which version it is, and who made it when (version 0: the
    defaults, made by nobody)."""

    version: int
    policy: Policy
    changed_by: str
    changed_at: datetime | None


@dataclass(frozen=True)
class Change:
    """One key of one version: its value before and after, as typed."""

    key: str
    old: str
    new: str


@dataclass(frozen=True)
class PolicyChange:
    """One version in the history: what it changed, who changed it, when."""

    version: int
    changes: tuple[Change, ...]
    changed_by: str
    changed_at: datetime


def differences(old: Policy, new: Policy) -> tuple[Change, ...]:
    """The keys whose value differs, in key order, old → new as typed."""
    before, after = old.as_text(), new.as_text()
    return tuple(
        Change(key, before[key], after[key])
        for key in KEYS
        if getattr(old, key) != getattr(new, key)
    )


def _policy_of(row: SlaPolicy | None) -> Policy:
    return Policy.defaults() if row is None else Policy.from_text(row.values)


def active_policy(session: Session) -> PolicyVersion:
    """The policy in force with its version, author and time."""
    row = queries.latest_sla_policy(session)
    if row is None:
        return PolicyVersion(0, Policy.defaults(), DEFAULT_ACTOR, None)
    return PolicyVersion(row.version, _policy_of(row), row.changed_by, row.changed_at)


def current_policy(session: Session) -> Policy:
    """The policy in force: the newest version, or the defaults when none was stored."""
    return active_policy(session).policy


def change_policy(session: Session, changes: Mapping[str, Any], *, by: str, at: datetime) -> Policy:
    """Apply `changes` (typed, from `read_changes`) as a new version by `by` at `at`, and
    return the policy now in force. Nothing is written when nothing really changes.

    Two people changing the policy at once both get their version: the second, finding its
    version number taken, applies its changes over the first's.
    """
    for _ in range(_WRITE_TRIES):
        row = queries.latest_sla_policy(session)
        current = _policy_of(row)
        new = current.with_changes(changes)
        changed = [change.key for change in differences(current, new)]
        if not changed:
            return current
        stored = queries.add_sla_policy(
            session,
            version=(row.version if row else 0) + 1,
            values=new.as_text(),
            changed=changed,
            changed_by=by,
            changed_at=at,
        )
        if stored is not None:
            return new
    raise RuntimeError("the SLA policy kept changing under this change; try again")


def policy_history(session: Session, *, limit: int = HISTORY_SHOWN) -> list[PolicyChange]:
    """The `limit` newest changes, newest first, each with its keys' old and new values."""
    rows = queries.sla_policy_versions(session, limit=limit + 1)
    history = []
    for index, row in enumerate(rows[:limit]):
        before = rows[index + 1] if index + 1 < len(rows) else None
        changes = differences(_policy_of(before), _policy_of(row))
        history.append(PolicyChange(row.version, changes, row.changed_by, row.changed_at))
    return history


# -- The plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Marketing's commitment for one period, computed backwards from the revenue goal."""

    sales_needed: int
    leads_needed: int


def _exact(number: float | int | Decimal | Fraction | None) -> Fraction | None:
    """A number as an exact fraction, a float as the decimal it reads as (0.1 is 1/10)."""
    if number is None:
        return None
    if isinstance(number, float):
        if not math.isfinite(number):
            return None
        number = Decimal(repr(number))
    return Fraction(number)


def plan(
    revenue_goal: float | Decimal | None,
    average_deal_value: float | Decimal | None,
    leads_per_sale: float | Decimal | None,
) -> Plan:
    """The sales and profiled leads a revenue goal takes, both rounded up, in exact
    arithmetic: `plan(100_000, 6_667, 8)` is 15 sales and 120 leads; `plan(100_000, 5_000,
    8)` is 20 and 160. `PlanError` when a number cannot give a plan (unset, zero, negative,
    or fewer than 1 lead per sale)."""
    revenue, deal, per_sale = (
        _exact(n) for n in (revenue_goal, average_deal_value, leads_per_sale)
    )
    if revenue is None or revenue <= 0:
        raise PlanError("sla.plan.revenue", value=_shown(revenue_goal))
    if deal is None or deal <= 0:
        raise PlanError("sla.plan.deal", value=_shown(average_deal_value))
    if per_sale is None or per_sale < 1:
        raise PlanError("sla.plan.leads_per_sale", value=_shown(leads_per_sale))
    sales = math.ceil(revenue / deal)
    return Plan(sales_needed=sales, leads_needed=math.ceil(sales * per_sale))


def _shown(number: float | Decimal | None) -> str:
    if number is None:
        return "0"
    try:
        return _number_text(float(number))
    except (ValueError, OverflowError):
        return str(number)


_PLAN_ARGUMENTS = (("REVENUE", "100,000"), ("DEAL", "6,667"), ("N", "8"))


def parse_plan_args(args: Sequence[str]) -> tuple[float, float, float]:
    """`REVENUE DEAL N` as typed (`100k 6,667 8`) read with `parse_amount`'s rule, or
    `PlanError` naming the argument that is not a number. Ranges are `plan`'s to check."""
    if len(args) != len(_PLAN_ARGUMENTS):
        raise PlanError("sla.plan.usage")
    numbers = []
    for typed, (name, example) in zip(args, _PLAN_ARGUMENTS, strict=True):
        number = parse_amount(typed)
        if number is None:
            raise PlanError("sla.plan.bad_argument", name=name, example=example, value=typed)
        numbers.append(number)
    revenue, deal, per_sale = numbers
    return revenue, deal, per_sale


def explain_plan(
    _: Translator, needed: Plan, *, revenue: float, deal: float, per_sale: float
) -> list[str]:
    """The plan in two lines, each figure with how it was reached (`/sla plan`, `sla show`)."""
    return [
        _("sla.plan.sales_line", sales=f"{needed.sales_needed:,}", revenue=_figure(revenue),
          deal=_figure(deal)),
        _("sla.plan.leads_line", leads=f"{needed.leads_needed:,}",
          sales=f"{needed.sales_needed:,}", leads_per_sale=_figure(per_sale)),
    ]  # fmt: skip


def _figure(number: float) -> str:
    """A typed number shown back with thousands separators: 100,000; 6,667.5; 8."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"
