"""Routes of matching, students' and workplaces' side, and changes of workplace."""

from django.urls import path

from matching import api, views

urlpatterns = [
    path("preferences/", views.preferences_home, name="preferences-home"),
    path("preferences/rounds/<int:pk>/", views.round_detail, name="preferences-round"),
    path("preferences/rounds/<int:pk>/offers/", views.offer_list, name="preferences-offers"),
    path("preferences/rounds/<int:pk>/ranking/", views.ranking, name="preferences-ranking"),
    path("preferences/rounds/<int:pk>/visits/", views.visits, name="preferences-visits"),
    path("preferences/rounds/<int:pk>/own-employer/", views.own_employer, name="preferences-own-employer"),
    path("preferences/offers/<int:pk>/", views.offer_detail, name="preferences-offer"),
    path("candidates/", views.candidates_list, name="candidates-list"),
    path("candidates/offers/<int:pk>/", views.candidate_ratings, name="candidates-offer"),
    path("workplace-changes/", views.workplace_changes, name="workplace-changes"),
    path("workplace-changes/new/", views.workplace_change_new, name="workplace-change-new"),
    path("workplace-changes/<int:pk>/", views.workplace_change_detail, name="workplace-change-detail"),
    path("workplace-changes/<int:pk>/agree/", views.workplace_change_agree, name="workplace-change-agree"),
]


api_routes: list = []


urlpatterns += [
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
    path("matching/<int:pk>/follow-up/", views.follow_up, name="matching-follow-up"),
    path("matching/<int:pk>/supervisors/", views.supervisors, name="matching-supervisors"),
    path(
        "matching/<int:pk>/supervisors/<int:placement_pk>/",
        views.supervisor_set,
        name="matching-supervisor-set",
    ),
    path("matching/<int:pk>/export/", views.export, name="matching-export"),
]


api_routes += [
    ("matching-rounds", api.MatchingRoundViewSet, "api-matching-round"),
    ("matching-assignments", api.AssignmentViewSet, "api-matching-assignment"),
]
