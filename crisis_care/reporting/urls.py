"""Reporting URLs (mounted at /reporting/): the dashboard and the records behind each figure,
SPC charts, the CORE fidelity self-review and the national data set export."""

from .views import charts, dashboard, exports, fidelity

app_name = "reporting"
urlpatterns = [
    *dashboard.urlpatterns,
    *charts.urlpatterns,
    *fidelity.urlpatterns,
    *exports.urlpatterns,
]
