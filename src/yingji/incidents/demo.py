"""The demo city's incidents: one in each county, reported by its emergency bureau, so the
duty officer, the county and the city's leader each have an incident in their area."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from yingji.audit.services import Actor
from yingji.incidents import services
from yingji.incidents.models import Incident
from yingji.org.models import Unit


def load(units: dict[str, Unit], actor: Actor) -> list[Incident]:
    now = timezone.now()
    gate = services.report_incident(
        {
            "title": "白石县政府门前群众聚集",
            "event_type": "social.mass.petition",
            "source": "unit",
            "region_code": "990121",
            "address": "白石县人民政府南门",
            "description": "约60名安置房工地务工人员聚集在县政府南门，反映拖欠工资问题。",
            "happened_at": now - timedelta(minutes=50),
            "reported_at": now - timedelta(minutes=40),
            "people_involved": 60,
        },
        actor=actor,
        unit=units["bs_yingji"],
    )
    flood = services.report_incident(
        {
            "title": "河西街道滨河路段积水",
            "event_type": "natural.flood",
            "source": "phone",
            "region_code": "990102001",
            "address": "清溪区河西街道滨河路",
            "description": "强降雨致滨河路低洼路段积水约40厘米，两辆车辆熄火。",
            "happened_at": now - timedelta(hours=2),
            "reported_at": now - timedelta(hours=1, minutes=50),
        },
        actor=actor,
        unit=units["qx_yingji"],
    )
    return [gate, flood]
