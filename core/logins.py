"""What django-axes needs from the site to throttle admin logins (see AXES_* in settings).

The address is read exactly as the comment pipeline reads it (core.request_info): behind a
proxy, every login would otherwise come from the proxy, and one stranger's failures would
lock out everyone.
"""

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import admin
from django.template.response import TemplateResponse

from .request_info import RequestInfo


def client_ip(request) -> str:
    """The visitor's address, trusting X-Forwarded-For only as TRUSTED_PROXIES says."""
    return RequestInfo.from_meta(request.META).ip_address or ""


def lockout_response(request, original_response=None, credentials=None):
    """The admin's own page (header, styles) saying why the login is refused and for how long."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "failure_limit": get_failure_limit(request, credentials),
        "cool_off_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return TemplateResponse(request, "admin/lockout.html", context, status=429).render()
