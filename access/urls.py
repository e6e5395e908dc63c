"""Routes of this area: inviting students in bulk and the institution's single sign-on.

The paths and names are the ones the core had, so links and bookmarks keep working.
"""

from django.urls import path

from access import views

urlpatterns: list = [
    path("students/invite/", views.student_invite, name="student-invite"),
    path("settings/sign-in/", views.sso_settings, name="sso-settings"),
]
