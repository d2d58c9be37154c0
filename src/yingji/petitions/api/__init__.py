"""The petitions API, by use case: intake and reading (cases.py), the files kept with a
case (files.py), a petitioner's cases (finding.py), handling (handling.py), ledger imports
(ledger.py), reviews, follow-ups and hearings (reviews.py), the opinions' delivery and
download (opinions.py), reminders, supervision and links (supervision.py), and the
petitioner's public side (public.py).
Importing this package registers every operation on ``router`` and ``public_router``,
which yingji.api adds to the one NinjaAPI; cases.py comes first, so that
/petitions/categories is matched before /petitions/{petition_id}.

The schemas are named here too, where they were when the API was one module, so that code
importing them from ``yingji.petitions.api`` keeps working.
"""

from __future__ import annotations

from yingji.petitions.api import (
    cases,
    discovery,
    files,
    finding,
    handling,
    ledger,
    opinions,
    public,
    reviews,
    supervision,
)
from yingji.petitions.api.cases import (
    CreatedOut,
    PetitionDecisionIn,
    PetitionFilter,
    PetitionIn,
    PetitionPage,
    PetitionRevealIn,
    RepresentativeIn,
    RevealOut,
)
from yingji.petitions.api.common import (
    WRITE_ERRORS,
    PetitionDeadlineOut,
    PetitionDetailOut,
    PetitionOut,
    TooMany,
    public_router,
    router,
)
from yingji.petitions.api.handling import (
    AssignIn,
    DeliverIn,
    ExtendIn,
    ReplyIn,
    ReplyOut,
    RespondIn,
)
from yingji.petitions.api.public import (
    PublicDeadlineOut,
    PublicPetitionIn,
    PublicReceiptIn,
    PublicReceivedOut,
    PublicStatusOut,
)

__all__ = [
    "WRITE_ERRORS",
    "AssignIn",
    "CreatedOut",
    "DeliverIn",
    "ExtendIn",
    "PetitionDeadlineOut",
    "PetitionDecisionIn",
    "PetitionDetailOut",
    "PetitionFilter",
    "PetitionIn",
    "PetitionOut",
    "PetitionPage",
    "PetitionRevealIn",
    "PublicDeadlineOut",
    "PublicPetitionIn",
    "PublicReceiptIn",
    "PublicReceivedOut",
    "PublicStatusOut",
    "ReplyIn",
    "ReplyOut",
    "RepresentativeIn",
    "RespondIn",
    "RevealOut",
    "TooMany",
    "cases",
    "discovery",
    "files",
    "finding",
    "handling",
    "ledger",
    "opinions",
    "public",
    "public_router",
    "reviews",
    "router",
    "supervision",
]
