"""The Jinja2 environment: our templates first, then the NHS.UK frontend macros."""

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from crisis_care.core import presenters
from crisis_care.core.alerts import alert_banners
from crisis_care.core.navigation import nav_items
from crisis_care.nhsuk_forms import params as form_params


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja")])
    # nhsuk-frontend-jinja reads chained parameters (params.hint.text) that may be absent.
    options["undefined"] = ChainableUndefined
    options.setdefault("autoescape", True)
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701 - autoescape is set just above
    env.globals.update(
        {
            "static": static,
            "url": url,
            "get_messages": get_messages,
            "nav_items": nav_items,
            "alert_banners": alert_banners,
            "service_name": settings.CRISIS_CARE["SERVICE_NAME"],
            "nhsuk_input_params": form_params.input_params,
            "nhsuk_textarea_params": form_params.textarea_params,
            "nhsuk_choice_params": form_params.choice_params,
            "nhsuk_select_params": form_params.select_params,
            "nhsuk_date_params": form_params.date_params,
            "nhsuk_error_summary_params": form_params.error_summary_params,
        }
    )
    env.filters.update(
        {
            "nhs_number": presenters.format_nhs_number,
            "london": presenters.london_datetime,
            "date_long": presenters.date_long,
            "datetime_long": presenters.datetime_long,
            "time_short": presenters.time_short,
            "age": presenters.age_on,
        }
    )
    return env
