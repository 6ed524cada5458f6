"""Admin login lock-out (django-axes): by the pair (account, address), and by the address alone
at a higher limit.

Locking by address *or* by account, as axes does with ["ip_address", "username"], lets five
wrong passwords from anyone behind the district office's one public address lock out every
editor, and lets anyone who knows an editor's user name lock that account at will. The pair
(AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]) locks only the guesser's own attempts at
one account; a guesser who tries many accounts from one address is stopped by the address limit
(LOGIN_ADDRESS_FAILURE_LIMIT). axes compares every parameter with the one AXES_FAILURE_LIMIT, so
the second limit lives here; a success forgives only its own pair's failures (axes' default for
the pair), never another account's from the same address.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class PairAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        """The pair's failures; at least the pair's limit once the address, for all accounts
        together, has reached its own."""
        failures = super().get_failures(request, credentials)
        if self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def address_failures(self, request):
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def client_address(request):
    """The address a login comes from (AXES_CLIENT_IP_CALLABLE). Behind our nginx
    (DJANGO_BEHIND_PROXY=1) REMOTE_ADDR is nginx itself, and the client's address is the last
    X-Forwarded-For entry, the one nginx appends ($proxy_add_x_forwarded_for in deploy/); what
    comes before it is whatever the client sent. Without a proxy the header is never read:
    trusting it would let a guesser name a new address for every guess."""
    remote = request.META.get("REMOTE_ADDR")
    if settings.BEHIND_PROXY and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR")):
        last = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return remote
    return remote
