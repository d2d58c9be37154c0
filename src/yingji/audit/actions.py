"""What each audit action code means, in words: the audit log shows 登记信访事项, not
``petitions.petition.register``.

The codes are written by the services of every app (``audit.record(action=...)``) and
kept in the log for good, so their words live here, in one catalogue, and stay for codes
no longer written. ``tests/audit/test_actions.py`` reads every code the source writes and
fails on one without words here. A code that is not in the catalogue (one of an older
release, say) is shown as written.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WORDS: dict[str, str | Promise] = {
    # accounts
    "accounts.login": _("Signed in"),
    "accounts.logout": _("Signed out"),
    "accounts.token.create": _("API token created"),
    "accounts.token.revoke": _("API token revoked"),
    "accounts.totp.start": _("Two-factor sign-in set up"),
    "accounts.totp.confirm": _("Two-factor sign-in confirmed"),
    "accounts.user.create": _("User created"),
    "accounts.user.update": _("User changed"),
    "accounts.user.set_password": _("Password set"),
    # clock
    "clock.calendar.import": _("Holiday notice entered"),
    "clock.calendar.year": _("Calendar year confirmed or changed"),
    "clock.calendar.set_day": _("Holiday or make-up working day set"),
    "clock.calendar.remove_day": _("Holiday or make-up working day removed"),
    "clock.deadline.start": _("Deadline started"),
    "clock.deadline.pause": _("Deadline paused"),
    "clock.deadline.resume": _("Deadline resumed"),
    "clock.deadline.extend": _("Deadline extended"),
    "clock.deadline.meet": _("Deadline met"),
    "clock.deadline.missed": _("Deadline missed"),
    "clock.deadline.cancel": _("Deadline cancelled"),
    "clock.deadline.reassign": _("Deadline moved to another unit"),
    "clock.deadline.assign": _("Person responsible for a deadline set"),
    "clock.deadline.recompute": _("Deadline recomputed after a calendar change"),
    # documents
    "documents.document.issue": _("Document issued"),
    "documents.document.keep": _("Original file kept"),
    "documents.document.read": _("Document opened"),
    "documents.import.start": _("Import started"),
    "documents.import.finish": _("Import finished"),
    # duty
    "duty.roster.generate": _("Duty roster generated"),
    "duty.change.request": _("Shift swap requested"),
    "duty.change.decide": _("Shift swap decided"),
    "duty.handover": _("Shift handed over"),
    "duty.feed.create": _("Calendar feed link made"),
    "duty.log.record": _("Call recorded in the duty log"),
    "duty.log.update": _("Duty log entry corrected"),
    "duty.log.to_incident": _("Duty log entry recorded as an incident"),
    "duty.log.to_petition": _("Duty log entry registered as a petition"),
    # incidents
    "incidents.incident.report": _("Incident reported"),
    "incidents.incident.facts": _("Incident facts updated"),
    "incidents.incident.grade": _("Incident graded"),
    "incidents.incident.activate": _("Response activated"),
    "incidents.incident.end": _("Response ended"),
    "incidents.incident.reveal": _("Personal data of an incident viewed"),
    "incidents.release": _("Public information released"),
    "incidents.report.submit": _("Report sent up"),
    "incidents.report.receive": _("Report signed for (签收)"),
    "incidents.report.phone": _("Phone report recorded (电话快报)"),
    "incidents.review.save": _("After-action review saved"),
    "incidents.group.people": _("Working group staffed"),
    "incidents.group.invite": _("Someone invited into a working group by phone or e-mail"),
    "incidents.task.add": _("Task given by the command"),
    "incidents.instruction.record": _("Leader's instruction recorded (领导批示)"),
    "incidents.task.acknowledge": _("Task acknowledged"),
    "incidents.task.start": _("Task started"),
    "incidents.task.done": _("Task done"),
    "incidents.task.block": _("Task blocked"),
    # notify
    "notify.delivery.retry": _("Failed delivery sent again"),
    "notify.webhook.add": _("Webhook added"),
    # org
    "org.unit.create": _("Unit created"),
    "org.unit.update": _("Unit changed"),
    "org.person.create": _("Contact created"),
    "org.person.update": _("Contact changed"),
    # petitions
    "petitions.petition.register": _("Petition registered"),
    "petitions.petition.import": _("Petition imported from a ledger"),
    "petitions.petition.reveal": _("Petitioner's personal data viewed"),
    "petitions.petition.clarify": _("Petitioner's name or address completed"),
    "petitions.petition.decide": _("Acceptance decided"),
    "petitions.petition.assign": _("Petition routed (交办/转送)"),
    "petitions.petition.returned": _("Petition returned after an objection"),
    "petitions.petition.object": _("Objection to a transfer"),
    "petitions.petition.reply": _("Written reply issued"),
    "petitions.petition.rate": _("Follow-up or rating recorded"),
    "petitions.petition.reopen": _("Petition reopened"),
    "petitions.petition.review": _("Review requested (复查)"),
    "petitions.petition.recheck": _("Re-review requested (复核)"),
    "petitions.petition.link": _("Petition handled with another case"),
    "petitions.petition.owner": _("Leader in charge set (包案)"),
    "petitions.petition.urge": _("Reminder issued (催办)"),
    "petitions.petition.supervise": _("Supervision issued (督办)"),
    "petitions.petitioner.search": _("Cases looked up by petitioner"),
    "petitions.assignment.respond": _("Routing answered"),
    "petitions.attachment.add": _("Attachment added"),
    "petitions.attachment.read": _("Attachment opened"),
    "petitions.reply.deliver": _("Delivery of the written reply recorded"),
    "petitions.review.decide": _("Review decided (复查)"),
    "petitions.recheck.decide": _("Re-review decided (复核)"),
    "petitions.review.deliver": _("Delivery of the review opinion recorded"),
    "petitions.recheck.deliver": _("Delivery of the re-review opinion recorded"),
    # plans
    "plans.plan.create": _("Plan created"),
    "plans.version.create": _("Plan version drafted"),
    "plans.version.update": _("Plan draft changed"),
    "plans.version.draft": _("Plan version returned to draft"),
    "plans.version.under_review": _("Plan version sent for review"),
    "plans.version.approved": _("Plan version approved"),
    "plans.version.filed": _("Plan version filed (备案)"),
    "plans.version.in_force": _("Plan version put in force"),
    "plans.version.superseded": _("Plan version superseded"),
    "plans.filing.pending": _("Plan filed, awaiting acknowledgement"),
    "plans.filing.acknowledged": _("Plan filing acknowledged"),
    "plans.filing.returned": _("Plan filing returned"),
    # resources
    "resources.item.add": _("Catalogue item added"),
    "resources.warehouse.add": _("Warehouse added"),
    "resources.team.add": _("Team added"),
    "resources.expert.add": _("Expert added"),
    "resources.equipment.add": _("Equipment added"),
    "resources.item.edit": _("Catalogue item changed"),
    "resources.item.retire": _("Catalogue item retired"),
    "resources.item.reactivate": _("Catalogue item back in use"),
    "resources.warehouse.edit": _("Warehouse changed"),
    "resources.warehouse.retire": _("Warehouse retired"),
    "resources.warehouse.reactivate": _("Warehouse back in use"),
    "resources.team.edit": _("Team changed"),
    "resources.team.retire": _("Team retired"),
    "resources.team.reactivate": _("Team back in use"),
    "resources.expert.edit": _("Expert changed"),
    "resources.expert.retire": _("Expert retired"),
    "resources.expert.reactivate": _("Expert back in use"),
    "resources.equipment.edit": _("Equipment changed"),
    "resources.equipment.retire": _("Equipment retired"),
    "resources.equipment.reactivate": _("Equipment back in use"),
    "resources.equipment.inspected": _("Equipment inspection recorded"),
    "resources.contact.reveal": _("Contact details viewed"),
    "resources.minimum.set": _("Minimum stock set"),
    "resources.minimum.remove": _("Minimum stock removed"),
    "resources.stock.receive": pgettext_lazy("stock", "Stock received"),
    "resources.stock.issue": _("Stock issued"),
    "resources.stock.return": _("Stock returned"),
    "resources.stock.transfer_out": _("Stock transferred out"),
    "resources.stock.transfer_in": _("Stock transferred in"),
    "resources.stock.adjust": _("Stocktaking adjustment"),
    "resources.stock.write_off": _("Stock written off"),
}


def words(code: str) -> str:
    """The action in words, or the code as written when it has none."""
    found = WORDS.get(code)
    return str(found) if found is not None else code
