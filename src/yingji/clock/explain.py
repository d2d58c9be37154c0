"""Turning the steps of a computation into sentences in the reader's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import dateformat
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from yingji.clock import holidays

HOLIDAY_LABELS = {
    holidays.NEW_YEAR: gettext_lazy("New Year's Day"),
    holidays.SPRING_FESTIVAL: gettext_lazy("Spring Festival"),
    holidays.TOMB_SWEEPING: gettext_lazy("Qingming Festival"),
    holidays.LABOUR_DAY: gettext_lazy("Labour Day"),
    holidays.DRAGON_BOAT: gettext_lazy("Dragon Boat Festival"),
    holidays.MID_AUTUMN: gettext_lazy("Mid-Autumn Festival"),
    holidays.NATIONAL_DAY: gettext_lazy("National Day"),
    holidays.ANTI_FASCIST_70TH: gettext_lazy("70th anniversary of the victory over fascism"),
    holidays.MAKEUP: gettext_lazy("make-up working day"),
}
UNIT_LABELS = {
    "calendar_days": gettext_lazy("%(count)d days"),
    "working_days": gettext_lazy("%(count)d working days"),
    "hours": gettext_lazy("%(count)d hours"),
    "minutes": gettext_lazy("%(count)d minutes"),
    "years": gettext_lazy("%(count)d years"),
}


def holiday_label(name: str) -> str:
    return str(HOLIDAY_LABELS.get(name, name))


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _day(value: str) -> str:
    return dateformat.format(date.fromisoformat(value), "Y年n月j日" if _chinese() else "j M Y")


def _moment(value: str) -> str:
    """A time as it was stored: already in the office's zone, so not converted again."""
    moment = datetime.fromisoformat(value)
    return dateformat.format(moment, "Y年n月j日 H:i" if _chinese() else "j M Y H:i")


def _source(value: str) -> str:
    from yingji.clock import kinds

    try:
        return str(kinds.get(value).source)
    except kinds.UnknownKind:
        return value


def _runs(days: list[dict[str, Any]]) -> list[str]:
    """Consecutive rest days of the same kind and name, as "from – to: name" runs."""
    runs: list[list[dict[str, Any]]] = []
    for day in days:
        if runs:
            last = runs[-1][-1]
            adjacent = (
                date.fromisoformat(day["date"]).toordinal()
                == date.fromisoformat(last["date"]).toordinal() + 1
            )
            if adjacent and (day["kind"], day["name"]) == (last["kind"], last["name"]):
                runs[-1].append(day)
                continue
        runs.append([day])
    lines = []
    for run in runs:
        what = _("weekend") if run[0]["kind"] == "weekend" else holiday_label(run[0]["name"])
        if len(run) == 1:
            lines.append(_("%(day)s (%(what)s)") % {"day": _day(run[0]["date"]), "what": what})
        else:
            lines.append(
                _("%(first)s to %(last)s (%(what)s)")
                % {"first": _day(run[0]["date"]), "last": _day(run[-1]["date"]), "what": what}
            )
    return lines


def sentence(code: str, facts: dict[str, Any]) -> str:
    if code == "start":
        return _("Started %(at)s.") % {"at": _moment(facts["at"])}
    if code == "rule":
        period = str(UNIT_LABELS[facts["unit"]]) % {"count": facts["count"]}
        if facts.get("source"):
            return _("Period: %(period)s (%(source)s).") % {
                "period": period,
                "source": _source(facts["source"]),
            }
        return _("Period: %(period)s.") % {"period": period}
    if code == "extended":
        period = str(UNIT_LABELS[facts["unit"]]) % {"count": facts["count"]}
        return _("Extended by %(period)s with approval.") % {"period": period}
    if code == "start_day_not_counted":
        return _("The start day is not counted; counting begins the next day.")
    if code == "start_day_counted":
        return _("The start day counts as the first day (province profile).")
    if code == "skipped":
        return _("Not counted, not working days: %(days)s.") % {
            "days": "; ".join(_runs(facts["days"]))
        }
    if code == "paused":
        text = _("Paused from %(from)s to %(to)s: %(days)d days added.") % {
            "from": _moment(facts["from"]),
            "to": _moment(facts["to"]),
            "days": facts["days"],
        }
        if facts.get("reason"):
            text += " " + _("Reason: %(reason)s.") % {"reason": facts["reason"]}
        return text
    if code == "rolled":
        return _(
            "The last day, %(from)s, is not a working day; the period ends on the next "
            "working day, %(to)s (skipped: %(days)s)."
        ) % {
            "from": _day(facts["from"]),
            "to": _day(facts["to"]),
            "days": "; ".join(_runs(facts["days"])),
        }
    if code == "not_rolled":
        return _(
            "The last day, %(date)s, is not a working day, but this profile does not move it."
        ) % {"date": _day(facts["date"])}
    if code == "hours":
        return _("Counted by the clock, through nights, weekends and holidays.")
    if code == "unconfirmed":
        return _(
            "Calendar not confirmed for %(years)s: no official notice has been entered, so "
            "only the statutory holidays and weekends were used."
        ) % {"years": ", ".join(str(y) for y in facts["years"])}
    if code == "due":
        return _("Due %(at)s.") % {"at": _moment(facts["at"])}
    return code


def explain(steps: list[dict[str, Any]]) -> list[str]:
    """Sentences for stored steps (``[{"code": …, "facts": {…}}, …]``)."""
    return [sentence(step["code"], step.get("facts", {})) for step in steps]
