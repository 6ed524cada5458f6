"""HTTP concerns outside any one view: extra security headers, gzip for public pages."""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """gzip for public pages (a 14 KB listing travels as 2.5 KB to a phone on a slow network).
    Never for editors' pages: they carry a CSRF token, and compressing a secret beside text an
    attacker chooses is the BREACH attack. Static files come compressed from whitenoise."""

    def process_response(self, request, response):
        private = settings.SESSION_COOKIE_NAME in request.COOKIES
        if private or request.path.startswith("/" + settings.ADMIN_URL):
            return response
        return super().process_response(request, response)
