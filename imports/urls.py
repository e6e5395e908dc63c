"""Routes of the imports app."""

from django.urls import path

from imports import views

urlpatterns: list = [
    path("workplaces/export/", views.organisation_export, name="organisation-export"),
    path("imports/<slug:kind>/", views.import_upload, name="import-upload"),
    path("imports/<slug:kind>/<str:token>/", views.import_preview, name="import-preview"),
]
api_routes: list = []
