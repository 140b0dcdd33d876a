from django.urls import path

from .views import decline, intake, queue, record, self_referral

app_name = "referrals"
urlpatterns = [
    path("", queue.triage_queue, name="queue"),
    path("new/", intake.referral_new, name="new"),
    path("<uuid:pk>/", record.referral_detail, name="detail"),
    path("<uuid:pk>/take/", record.referral_take, name="take"),
    path("<uuid:pk>/priority/", record.priority_change, name="priority"),
    path("<uuid:pk>/contacts/new/", record.contact_new, name="contact_new"),
    path("<uuid:pk>/breach/<str:clock>/", record.breach_reason, name="breach_reason"),
    path("<uuid:pk>/eligibility/", record.eligibility_confirm, name="eligibility_confirm"),
    path("<uuid:pk>/accept/", record.referral_accept, name="accept"),
    path("<uuid:pk>/match/", record.match_person, name="match_person"),
    path("<uuid:pk>/decline/", decline.referral_decline, name="decline"),
    path("<uuid:pk>/letter/", decline.decline_letter, name="letter"),
    path("<uuid:pk>/letter.pdf", decline.decline_letter_pdf, name="letter_pdf"),
]

# Public pages: no login (mounted at /self-referral/ in config/urls.py).
public_urlpatterns = [
    path("", self_referral.self_referral, name="self_referral"),
    path("easy-read/", self_referral.self_referral_easy_read, name="self_referral_easy_read"),
    path("sent/", self_referral.self_referral_sent, name="self_referral_sent"),
]
