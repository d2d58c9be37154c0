"""What plans tell other apps, without importing them.

``version_approved`` is sent by ``services.approve`` inside the approval's transaction,
with ``version`` (the approved PlanVersion) and ``actor``: a receiver's writes commit or
roll back with the approval (drills closes the corrective actions the version addresses).
A receiver must not send anything outside; side effects go through the outbox.
"""

from django.dispatch import Signal

version_approved = Signal()
