"""Routes of this area: page urlpatterns and API (prefix, viewset, basename) routes."""

from django.urls import path

from students import views
from students.api import StudentViewSet

urlpatterns: list = [
    path("students/", views.student_list, name="student-list"),
    path("students/new/", views.student_create, name="student-create"),
    path("students/export/", views.student_export, name="student-export"),
    path("students/<int:pk>/", views.student_detail, name="student-detail"),
    path("students/<int:pk>/edit/", views.student_edit, name="student-edit"),
]


# The API's basename differs from the page names: DRF would otherwise also name its routes
# "student-list" / "student-detail".
api_routes: list = [("students", StudentViewSet, "api-student")]
