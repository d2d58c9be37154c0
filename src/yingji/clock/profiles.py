"""The counting profiles a province can choose (YINGJI_CLOCK_PROFILE). No Django here.

The national profile is the default. The others are the named alternatives that
provincial 信访条例 use; an office picks the one its province follows.
"""

from __future__ import annotations

from yingji.clock.periods import NATIONAL, Profile, Rule

PETITION_DAY_KINDS = frozenset(
    {
        "petition.registration",
        "petition.acceptance_notice",
        "petition.handling",
        "petition.review_request",
        "petition.review_decision",
        "petition.recheck_request",
        "petition.recheck_decision",
    }
)

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        NATIONAL,
        Profile(
            "count_start_day",
            count_start_day=True,
            source="the start day counts as the first day",
        ),
        Profile(
            "no_roll_over",
            roll_over=False,
            source="a period ends on its last day even when that day is a holiday",
        ),
        Profile(
            "working_days",
            working_day_kinds=PETITION_DAY_KINDS,
            source="petition periods counted in working days",
        ),
        Profile(
            "zhejiang",
            rules={
                "petition.registration": Rule("working_days", 5),
                "petition.acceptance_notice": Rule("working_days", 5),
            },
            source="浙江省信访条例（2016）第二十条",
        ),
    )
}
