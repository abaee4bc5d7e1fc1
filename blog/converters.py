"""The path converters of the blog's addresses: <yyyy>, <dd> and <name>.

They are registered once, when this module is imported. blog/urls.py imports it, and
so does comments/urls.py, which routes a post's comment feed under the post's address
and is included first.
"""

from django.urls import register_converter


class FourDigitYearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitConverter:
    """Months and days, always written with two digits: /2026/01/05/."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class NameConverter:
    """A tag's slug or a username: any text but "/" and NUL, which PostgreSQL refuses."""

    regex = "[^/\x00]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FourDigitYearConverter, "yyyy")
register_converter(TwoDigitConverter, "dd")
register_converter(NameConverter, "name")
