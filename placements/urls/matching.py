"""Routes of this area: page urlpatterns and API (prefix, viewset, basename) routes."""

from django.urls import path

from placements.api import matching as api
from placements.views import matching as views

urlpatterns: list = [
    path("matching/", views.round_list, name="matching-rounds"),
    path("matching/new/", views.round_create, name="matching-round-create"),
    path("matching/<int:pk>/", views.board, name="matching-board"),
    path("matching/<int:pk>/assign/", views.board_assign, name="matching-assign"),
    path("matching/<int:pk>/unassign/", views.board_unassign, name="matching-unassign"),
    path("matching/<int:pk>/lock/", views.board_lock, name="matching-lock"),
    path("matching/<int:pk>/students/<int:student_pk>/", views.board_student, name="matching-student"),
    path("matching/<int:pk>/history/", views.round_history, name="matching-history"),
    path("matching/<int:pk>/propose/", views.propose, name="matching-propose"),
    path("matching/<int:pk>/proposals/<int:proposal_pk>/", views.proposal_detail, name="matching-proposal"),
    path(
        "matching/<int:pk>/proposals/<int:proposal_pk>/apply/",
        views.proposal_apply,
        name="matching-proposal-apply",
    ),
    path("matching/<int:pk>/publish/", views.publish, name="matching-publish"),
    path("matching/<int:pk>/supervisors/", views.supervisors, name="matching-supervisors"),
    path(
        "matching/<int:pk>/supervisors/<int:placement_pk>/",
        views.supervisor_set,
        name="matching-supervisor-set",
    ),
    path("matching/<int:pk>/export/", views.export, name="matching-export"),
    path("my/placement/", views.my_placement, name="my-placement"),
]
api_routes: list = [
    ("matching-rounds", api.MatchingRoundViewSet, "api-matching-round"),
    ("matching-assignments", api.AssignmentViewSet, "api-matching-assignment"),
]
