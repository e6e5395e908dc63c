"""Routes of matching, students' and workplaces' side, and changes of workplace."""

from django.urls import path

from placements.views import preferences as views

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
