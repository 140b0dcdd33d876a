"""Sign in and out, the public pages, and error pages."""

from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .audit import audit_record
from .models import AuditAction


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your system administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class SignInView(LoginView):
    template_name = "core/login.jinja"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.get_user(), action=AuditAction.LOGIN, object_type="session")
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = (form.data.get("username") or "")[:150]
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            object_type="session",
            detail={"username": username},
        )
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = "Sign in"
        context["has_errors"] = bool(context["form"].errors)
        return context


sign_in = login_not_required(SignInView.as_view())


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST (with CSRF) signs out."""
    if request.method == "POST":
        if request.user.is_authenticated:
            audit_record(actor=request.user, action=AuditAction.LOGOUT, object_type="session")
        logout(request)
        return redirect("core:login")
    return render(request, "core/logout.jinja", {"title": "Sign out"})


@login_not_required
def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    return render(request, "core/locked_out.jinja", {"title": "Account locked"}, status=429)


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.jinja", {"title": "Accessibility statement"})


@login_not_required
def root(request: HttpRequest) -> HttpResponseBase:
    return redirect("workforce:home" if request.user.is_authenticated else "core:login")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/403.jinja",
        {"title": "You cannot see this page", "reason": str(exception or "")},
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.jinja", {"title": "Page not found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/500.jinja",
        # No alerts: the database may be the problem.
        {"title": "Sorry, there is a problem with the service", "hide_alerts": True},
        status=500,
    )


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token (usually a page left open a long time)."""
    return render(
        request, "core/csrf_failure.jinja", {"title": "Your form could not be sent"}, status=403
    )
