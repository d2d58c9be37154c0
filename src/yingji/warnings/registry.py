"""What the warnings app registers with the shared mechanisms: the clock's kind for a
hazard's remediation and the timeline's words for its events."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

REMEDIATION = "risk.remediation"


def register() -> None:
    from yingji.clock import kinds
    from yingji.timeline import labels

    kinds.register(
        kinds.DeadlineKind(
            REMEDIATION,
            _("Remedy a hazard (隐患整改)"),
            _(
                "No national rule sets the days: the date chosen on the register, by default "
                "the office's days for the hazard's level (YINGJI_RISK_REMEDIATION_DAYS), to "
                "the end of that day"
            ),
            rule_for=kinds._days_rule,
            due_soon=(timedelta(days=7), timedelta(days=1)),
        )
    )
    labels.register(
        {
            "risk.registered": _("Risk registered"),
            "risk.changed": _("Risk changed"),
            "risk.closed": _("Risk remedied and closed"),
            "risk.reopened": _("Risk reopened"),
            "inspection.planned": _("Inspection planned"),
            "inspection.finding": _("Inspection finding"),
            "inspection.done": _("Inspection done"),
            "warning.drafted": _("Warning drafted"),
            "warning.submitted": _("Warning submitted for signing"),
            "warning.returned": _("Warning returned to its drafter"),
            "warning.issued": _("Warning issued"),
            "warning.adjusted": _("Warning adjusted"),
            "warning.lifted": _("Warning lifted"),
            "warning.expired": _("Warning expired"),
            "signal.raised": _("Trend signal raised"),
            "signal.dismissed": _("Trend signal dismissed"),
            "signal.to_risk": _("Trend signal turned into a risk"),
            "signal.to_warning": _("Trend signal turned into a warning"),
            "inspection.started": _("Inspection started"),
        }
    )
