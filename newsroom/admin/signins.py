"""Sign-in throttling in the admin: the failures counted, the failure log and the sign-ins, for administrators.

django-axes's own admins are used, registered here (``AXES_ENABLE_ADMIN`` is off) so that the records read
as what they are: written by sign-ins only, never edited. Their pages have no "Save" button; an
administrator lifts a lock by deleting the account's or the address's attempts.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


class RecordOnly:
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class SignInAttemptAdmin(RecordOnly, AccessAttemptAdmin):
    pass


@admin.register(AccessFailureLog)
class SignInFailureLogAdmin(RecordOnly, AccessFailureLogAdmin):
    pass


@admin.register(AccessLog)
class SignInLogAdmin(RecordOnly, AccessLogAdmin):
    pass
