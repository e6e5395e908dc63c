"""Routes of the evaluations area (pages, exports) and its read-only API."""

from django.urls import path

from evaluations import api, views

urlpatterns = [
    path("evaluations/", views.evaluation_list, name="evaluation-list"),
    path("evaluations/open/", views.open_moment, name="evaluation-open"),
    path("evaluations/scores.csv", views.scores_export, name="evaluation-export"),
    path("evaluations/placement/<int:pk>/", views.placement_evaluations, name="evaluation-placement"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation-detail"),
    path("evaluations/<int:pk>/fill/", views.fill, name="evaluation-fill"),
    path("evaluations/<int:pk>/fill/<int:criterion>/", views.autosave, name="evaluation-autosave"),
    path("evaluations/<int:pk>/meeting/", views.meeting, name="evaluation-meeting"),
    path("evaluations/<int:pk>/score/", views.score, name="evaluation-score"),
    path("evaluations/<int:pk>/reflection/", views.reflection, name="evaluation-reflection"),
    path("evaluations/student/<int:pk>/overview/", views.overview, name="evaluation-overview"),
    path("evaluations/student/<int:pk>/overview.pdf", views.overview_pdf, name="evaluation-overview-pdf"),
    path("evaluations/settings/<int:pk>/", views.settings_edit, name="evaluation-settings"),
    path("evaluations/rubrics/", views.rubric_list, name="rubric-list"),
    path("evaluations/rubrics/new/", views.rubric_create, name="rubric-create"),
    path("evaluations/rubrics/<int:pk>/", views.rubric_detail, name="rubric-detail"),
    path("evaluations/rubrics/<int:pk>/edit/", views.rubric_edit, name="rubric-edit"),
    path(
        "evaluations/rubrics/<int:pk>/criterion/<int:number>/",
        views.rubric_criterion,
        name="rubric-criterion",
    ),
    path("evaluations/rubrics/<int:pk>/preview/", views.rubric_preview, name="rubric-preview"),
    path("evaluations/rubrics/<int:pk>/export.json", views.rubric_export, name="rubric-export"),
]

api_routes = [
    ("evaluations", api.EvaluationViewSet, "api-evaluation"),
]
