"""Routes of the quality checklist (leidraad kwaliteitsvol werkplekleren)."""

from django.urls import path

from quality import views

urlpatterns = [
    path("quality/", views.quality_overview, name="quality-overview"),
    path("quality/checklists/", views.template_list, name="quality-template-list"),
    path("quality/checklists/<int:pk>/", views.template_detail, name="quality-template-detail"),
    path("quality/checklists/<int:pk>/copy/", views.template_copy, name="quality-template-copy"),
    path("quality/checklists/<int:pk>/items/new/", views.item_create, name="quality-item-create"),
    path("quality/items/<int:pk>/edit/", views.item_edit, name="quality-item-edit"),
    path("quality/items/<int:pk>/delete/", views.item_delete, name="quality-item-delete"),
    path("quality/workplaces/<int:pk>/", views.organisation_summary, name="quality-organisation"),
    path(
        "quality/workplaces/<int:pk>/<str:academic_year>/<str:party>/",
        views.response_fill,
        name="quality-response",
    ),
]


api_routes: list = []
