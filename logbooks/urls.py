"""Routes of the logbook (pages, the offline sync endpoint, the installable app) and its API."""

from django.urls import path

from logbooks import api, views

urlpatterns = [
    path("logbook/", views.logbook_home, name="logbook"),
    path("logbook/placement/<int:pk>/", views.logbook_placement, name="logbook-placement"),
    path("logbook/placement/<int:pk>/sync/", views.logbook_sync, name="logbook-sync"),
    path("logbook/placement/<int:pk>/progress/", views.progress_page, name="logbook-progress"),
    path("logbook/placement/<int:pk>/absence/", views.absence_new, name="logbook-absence-new"),
    path("logbook/placement/<int:pk>/accident/", views.incident_new, name="logbook-incident-new"),
    path("logbook/placement/<int:pk>/export.<str:fmt>", views.export, name="logbook-export"),
    path("logbook/entry/<int:pk>/", views.entry_detail, name="logbook-entry"),
    path("logbook/absence/<int:pk>/", views.absence_detail, name="logbook-absence"),
    path("logbook/absence/<int:pk>/sick-note/", views.sick_note, name="logbook-sick-note"),
    path("logbook/review/", views.review_queue, name="logbook-review"),
    path("logbook/review/<int:membership>/entry/<int:pk>/", views.review_entry, name="logbook-review-entry"),
    path("logbook/overview/", views.overview, name="logbook-overview"),
    path("logbook/settings/<int:pk>/", views.settings_edit, name="logbook-settings"),
    path("logbook/insurance/", views.insurance_list, name="logbook-insurance"),
    path("logbook/insurance/<int:pk>/", views.insurance_edit, name="logbook-insurance-edit"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="web-manifest"),
]

api_routes = [
    ("logbook-entries", api.EntryViewSet, "api-logbook-entry"),
    ("logbook-reviews", api.ReviewViewSet, "api-logbook-review"),
    ("logbook-absences", api.AbsenceViewSet, "api-logbook-absence"),
]
