"""Routes of the placements app."""

from django.urls import path

from placements import views

urlpatterns: list = [
    path("my/placement/", views.my_placement, name="my-placement"),
]
api_routes: list = []
