from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "yingji.petitions"
    label = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from yingji.documents import jobs
        from yingji.petitions import panels
        from yingji.petitions.models import Petition
        from yingji.petitions.services.similar import SEARCH_FIELDS, search_text
        from yingji.search import indexing
        from yingji.timeline import labels

        indexing.register(
            indexing.Source(
                Petition,
                text=search_text,
                at=lambda petition: petition.received_at,
                pending="search_pending",
                fields=SEARCH_FIELDS,
                saved_at="registered_at",
            )
        )

        jobs.register(
            jobs.Kind(
                "petitions.ledger",
                _("petition ledger"),
                run="yingji.petitions.ledger.run_job",
                form="petitions:import",
                personal=True,
            )
        )

        labels.register(
            {
                "petition.registered": _("Registered"),
                "petition.accept": _("Accepted (受理)"),
                "petition.reject": _("Not accepted (不予受理)"),
                "petition.refer": _("Referred elsewhere (告知)"),
                "petition.identity_clarified": _("Name or address completed"),
                "petition.assign": _("Assigned (交办)"),
                "petition.transfer": _("Transferred (转送)"),
                "petition.assignment_accepted": _("Routing taken on"),
                "petition.assignment_objected": _("Objection to the routing"),
                "petition.objected": _("Objection to the transfer"),
                "petition.extended": _("Handling period extended"),
                "petition.replied": _("Written reply issued"),
                "petition.reply_delivered": _("Written reply delivered"),
                "petition.rated": _("Follow-up recorded"),
                "petition.reopened": _("Reopened"),
                "petition.review_requested": _("Review requested (复查)"),
                "petition.review_decided": _("Review decided (复查)"),
                "petition.review_delivered": _("Review opinion delivered (复查)"),
                "petition.recheck_requested": _("Re-review requested (复核)"),
                "petition.recheck_decided": _("Re-review decided (复核)"),
                "petition.recheck_delivered": _("Re-review opinion delivered (复核)"),
                "petition.hearing_started": _("Hearing started"),
                "petition.hearing_ended": _("Hearing ended"),
                "petition.urge": _("Reminder (催办)"),
                "petition.supervise": _("Supervision (督办)"),
                "petition.linked": _("Handled with another case"),
                "petition.joined": _("Another petition joined this case"),
                "petition.attached": _("Attachment added"),
                "petition.owner": _("Leader in charge (包案)"),
                "petition.imported": _("Imported from the ledger"),
                "petition.repeat_after_recheck": _("Same matter after re-review (第三十六条)"),
            }
        )
        from yingji.petitions.models import FollowUp, Reply, Review

        labels.register_summaries(
            {
                "petition.replied": labels.choice_words(dict(Reply.Outcome.choices)),
                "petition.rated": labels.choice_words(dict(FollowUp.Rating.choices)),
                "petition.review_decided": labels.choice_words(dict(Review.Outcome.choices)),
                "petition.recheck_decided": labels.choice_words(dict(Review.Outcome.choices)),
            }
        )
        panels.register()
