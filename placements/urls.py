"""Routes of the placements app."""

from django.urls import path

from placements import views

urlpatterns: list = [
    path("my/placement/", views.my_placement, name="my-placement"),
    path("programmes/<int:pk>/reminders/", views.reminder_rules, name="reminder-rules"),
]
api_routes: list = []
