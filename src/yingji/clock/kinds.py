"""The registry of deadline kinds: each with its rule, legal source and limits.

Apps register their own kinds (``register(DeadlineKind(...))``) in their AppConfig.ready;
the statutory kinds of the 信访工作条例 and the emergency rules are registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yingji.accounts.roles import Role
from yingji.clock.periods import Profile, Rule
from yingji.clock.profiles import PROFILES
from yingji.fields import whole_number
from yingji.org import lines


class UnknownKind(KeyError):
    pass


class ParamError(ValueError):
    """A parameter of the case that a kind's rule needs (``level``, ``days``, ``minutes``,
    ``years``) is missing or not usable; ``name`` is the parameter, the message is in the
    active language."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _missing(name: str) -> ParamError:
    return ParamError(name, str(_("This field is required.")))


def _count(params: Mapping[str, Any], name: str) -> int | None:
    """A whole-number parameter, stored as an int or given as digits (an API query, a
    command's ``--param days=30``); None when it is not given."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    value = None if isinstance(raw, bool) else whole_number(raw)
    if value is None:
        raise ParamError(name, str(_("Enter a whole number.")))
    return value


@dataclass(frozen=True)
class DeadlineKind:
    code: str
    label: str | Promise
    source: str | Promise
    rule: Rule | None = None
    # For kinds whose period depends on the case (a report's hours by level).
    rule_for: Callable[[Mapping[str, Any]], Rule] | None = None
    # Most an extension may add, in the rule's unit; None: no extension allowed.
    max_extension: int | None = None
    extension_roles: frozenset[str] = frozenset()
    pausable: bool = False
    due_soon: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1))
    # The line of work (org.lines) whose jurisdiction shows the deadline; by default the
    # petition kinds are petitions' and every other kind is emergency work's.
    line: str = ""

    @property
    def work_line(self) -> str:
        if self.line:
            return self.line
        return lines.PETITIONS if self.code.startswith("petition.") else lines.EMERGENCY

    def resolve(self, params: Mapping[str, Any], profile: Profile) -> Rule:
        """The rule for this case under a province profile."""
        if self.code in profile.rules:
            return profile.rules[self.code]
        if self.rule_for is not None:
            rule = self.rule_for(params)
        elif self.rule is not None:
            rule = self.rule
        else:
            raise ValueError(f"kind {self.code} has no rule")
        if self.code in profile.working_day_kinds:
            rule = rule.as_working_days()
        return rule


_REGISTRY: dict[str, DeadlineKind] = {}


def register(kind: DeadlineKind) -> None:
    _REGISTRY[kind.code] = kind


def get(code: str) -> DeadlineKind:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise UnknownKind(code) from None


def codes_of_line(line: str) -> list[str]:
    return sorted(code for code, kind in _REGISTRY.items() if kind.work_line == line)


def all_kinds() -> list[DeadlineKind]:
    return sorted(_REGISTRY.values(), key=lambda k: k.code)


def profile(name: str | None = None) -> Profile:
    return PROFILES[name or settings.CLOCK_PROFILE]


LEVELS = ("1", "2", "3", "4")


def _level(params: Mapping[str, Any]) -> int:
    raw = params.get("level")
    if raw is None or raw == "":
        raise _missing("level")
    level = str(raw)
    if level not in LEVELS:
        raise ParamError("level", _("Choose one of: %(choices)s.") % {"choices": ", ".join(LEVELS)})
    return int(level)


def _first_report_rule(params: Mapping[str, Any]) -> Rule:
    """The written first report (首报): minutes by level (YINGJI_FIRST_REPORT_MINUTES)."""
    return Rule("minutes", settings.CLOCK_FIRST_REPORT_MINUTES[_level(params) - 1])


def _phone_report_rule(params: Mapping[str, Any]) -> Rule:
    """The phone report (电话快报): minutes by level (YINGJI_PHONE_REPORT_MINUTES)."""
    return Rule("minutes", settings.CLOCK_PHONE_REPORT_MINUTES[_level(params) - 1])


def _setting_rule(
    unit: str, setting: str, own: str | None = None
) -> Callable[[Mapping[str, Any]], Rule]:
    """The period from a setting, or from the subject's own ``params[own]`` when given
    (a plan that sets its own review or drill cycle)."""

    def rule(params: Mapping[str, Any]) -> Rule:
        count = _count(params, own) if own else None
        return Rule(unit, count if count else getattr(settings, setting))  # type: ignore[arg-type]

    return rule


HOURS_SOON = (timedelta(minutes=60), timedelta(minutes=30))
MINUTES_SOON = (timedelta(minutes=10),)


def _days_rule(params: Mapping[str, Any]) -> Rule:
    days = _count(params, "days")
    if days is None:
        raise _missing("days")
    return Rule("calendar_days", days)


def _minutes_rule(params: Mapping[str, Any]) -> Rule:
    minutes = _count(params, "minutes")
    if minutes is None:
        raise _missing("minutes")
    return Rule("minutes", minutes)


YEARS_SOON = (timedelta(days=90), timedelta(days=30))
LEADERS = frozenset({Role.DUTY_LEADER})


def register_statutory_kinds() -> None:
    days15 = Rule("calendar_days", 15)
    days30 = Rule("calendar_days", 30)
    for kind in (
        DeadlineKind(
            "petition.registration",
            _("Route a registered petition"),
            _("信访工作条例 第二十二条: within 15 days of registration"),
            days15,
            pausable=True,
        ),
        DeadlineKind(
            "petition.acceptance_notice",
            _("Written notice of acceptance"),
            _("信访工作条例 第二十三条: written notice within 15 days of receipt"),
            days15,
            # The notice is not owed while the name or address is unclear (第二十三条).
            pausable=True,
        ),
        DeadlineKind(
            "petition.objection",
            _("Objection to a transferred petition"),
            _("信访工作条例 第二十三条第三款: within 5 working days of receipt"),
            Rule("working_days", 5),
        ),
        DeadlineKind(
            "petition.handling",
            _("Handle an accepted petition"),
            _(
                "信访工作条例 第三十四条: within 60 days of acceptance; "
                "up to 30 more with the head's approval"
            ),
            Rule("calendar_days", 60),
            max_extension=30,
            extension_roles=LEADERS,
        ),
        DeadlineKind(
            "petition.review_request",
            _("Request a review (复查)"),
            _("信访工作条例 第三十五条: within 30 days of the written reply"),
            days30,
        ),
        DeadlineKind(
            "petition.review_decision",
            _("Decide a review (复查)"),
            _("信访工作条例 第三十五条: within 30 days of the request"),
            days30,
        ),
        DeadlineKind(
            "petition.recheck_request",
            _("Request a re-review (复核)"),
            _("信访工作条例 第三十六条: within 30 days of receiving the review opinion"),
            days30,
        ),
        DeadlineKind(
            "petition.recheck_decision",
            _("Decide a re-review (复核)"),
            _(
                "信访工作条例 第三十六条: within 30 days of the request; "
                "hearing time is not counted"
            ),
            days30,
            pausable=True,
        ),
        DeadlineKind(
            "incident.phone_report",
            _("Phone report of an incident (电话快报)"),
            _(
                "Local reporting rules (commonly 30 minutes by phone; they vary by province); "
                "minutes by level are a setting (YINGJI_PHONE_REPORT_MINUTES)"
            ),
            rule_for=_phone_report_rule,
            due_soon=MINUTES_SOON,
        ),
        DeadlineKind(
            "incident.first_report",
            _("First report of an incident (首报)"),
            _(
                "Local reporting rules (commonly within the hour in writing for 较大 and above; "
                "they vary by province); minutes by level are a setting "
                "(YINGJI_FIRST_REPORT_MINUTES)"
            ),
            rule_for=_first_report_rule,
            due_soon=HOURS_SOON,
        ),
        DeadlineKind(
            "incident.report_receipt",
            _("Receipt of an upward report (签收)"),
            _(
                "The office's rule: the receiving unit signs for a report within the minutes "
                "of a setting (YINGJI_REPORT_RECEIPT_MINUTES)"
            ),
            rule_for=_setting_rule("minutes", "CLOCK_REPORT_RECEIPT_MINUTES"),
            due_soon=MINUTES_SOON,
        ),
        DeadlineKind(
            "incident.followup_report",
            _("Follow-up report (续报)"),
            _("Local reporting rules; the interval is a setting (YINGJI_FOLLOWUP_REPORT_HOURS)"),
            rule_for=_setting_rule("hours", "CLOCK_FOLLOWUP_REPORT_HOURS"),
            due_soon=HOURS_SOON,
        ),
        DeadlineKind(
            "incident.final_report",
            _("Final report (终报)"),
            _(
                "突发事件应对法 第八十七条: report to the government above after the response "
                "ends; the hours are a setting (YINGJI_FINAL_REPORT_HOURS)"
            ),
            rule_for=_setting_rule("hours", "CLOCK_FINAL_REPORT_HOURS"),
            due_soon=HOURS_SOON,
        ),
        DeadlineKind(
            "incident.task",
            _("Response task"),
            _("The plan's step: within the given minutes of activation"),
            rule_for=_minutes_rule,
            due_soon=MINUTES_SOON,
        ),
        DeadlineKind(
            "incident.task_ack",
            _("Acknowledge a response task"),
            _(
                "Whoever holds a task confirms it within minutes (YINGJI_TASK_ACK_MINUTES), "
                "so a task nobody took is chased before it is overdue"
            ),
            rule_for=_minutes_rule,
            due_soon=(),
        ),
        DeadlineKind(
            "resources.expiry",
            _("Stock expires"),
            _("The lot's expiry date: use or replace it before then"),
            rule_for=_minutes_rule,
            due_soon=(timedelta(days=30), timedelta(days=7)),
        ),
        DeadlineKind(
            "resources.inspection",
            _("Inspect equipment or a vehicle"),
            _("The item's own inspection cycle, in days"),
            rule_for=_days_rule,
            due_soon=(timedelta(days=14), timedelta(days=3)),
        ),
        DeadlineKind(
            "plan.filing",
            _("File an approved plan (备案)"),
            _("突发事件应急预案管理办法 第二十六条: within 20 working days of issue"),
            Rule("working_days", 20),
        ),
        DeadlineKind(
            "plan.review",
            _("Evaluate a plan"),
            _("突发事件应急预案管理办法: evaluated every few years (YINGJI_PLAN_REVIEW_YEARS)"),
            rule_for=_setting_rule("years", "CLOCK_PLAN_REVIEW_YEARS", own="years"),
            due_soon=YEARS_SOON,
        ),
        DeadlineKind(
            "drill.cycle",
            _("Drill a plan"),
            _(
                "突发事件应急预案管理办法 第二十二条: special and department plans "
                "at least every 3 years (YINGJI_DRILL_CYCLE_YEARS)"
            ),
            rule_for=_setting_rule("years", "CLOCK_DRILL_CYCLE_YEARS", own="years"),
            due_soon=YEARS_SOON,
        ),
    ):
        register(kind)
