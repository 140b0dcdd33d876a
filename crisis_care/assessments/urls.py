from django.urls import path

from .views import booking, record, risk

app_name = "assessments"
urlpatterns = [
    # Booking (from a referral).
    path("book/<uuid:referral_pk>/", booking.assessment_book, name="book"),
    path("<uuid:pk>/", record.assessment_detail, name="detail"),
    path("<uuid:pk>/cancel/", booking.assessment_cancel, name="cancel"),
    path("<uuid:pk>/start/", record.assessment_start, name="start"),
    # The structured record.
    path("<uuid:pk>/record/", record.assessment_record, name="record"),
    path("<uuid:pk>/finalise/", record.assessment_finalise, name="finalise"),
    path("<uuid:pk>/addendum/", record.addendum_new, name="addendum"),
    path("<uuid:pk>/key-people/", record.key_people, name="key_people"),
    # Risk and safety plan.
    path("<uuid:pk>/risk/", risk.risk_formulation, name="risk"),
    path("<uuid:pk>/safety-plan/", risk.safety_plan_new, name="safety_plan"),
    path("safety-plans/<uuid:plan_pk>/", risk.safety_plan_detail, name="safety_plan_detail"),
]
