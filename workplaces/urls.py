"""Routes of this area: page urlpatterns and API (prefix, viewset, basename) routes."""

from django.urls import path

from workplaces import api, views
from workplaces.api import OfferViewSet

urlpatterns: list = [
    path("workplaces/", views.organisation_list, name="organisation-list"),
    path("workplaces/new/", views.organisation_create, name="organisation-create"),
    path("workplaces/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("workplaces/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("workplaces/<int:pk>/sites/new/", views.site_create, name="site-create"),
    path("workplaces/sites/<int:pk>/edit/", views.site_edit, name="site-edit"),
    path("workplaces/<int:pk>/mentors/new/", views.mentor_create, name="mentor-create"),
    path("workplaces/mentors/<int:pk>/edit/", views.mentor_edit, name="mentor-edit"),
    path("workplaces/<int:pk>/capacity/", views.organisation_capacity, name="organisation-capacity"),
    path("workplaces/<int:pk>/decision/", views.workplace_decide, name="workplace-decide"),
    path("workplaces/criteria/", views.criterion_list, name="criterion-list"),
    path("workplaces/criteria/new/", views.criterion_create, name="criterion-create"),
    path("workplaces/criteria/<int:pk>/edit/", views.criterion_edit, name="criterion-edit"),
]


api_routes: list = [
    ("workplaces/organisations", api.OrganisationViewSet, "api-organisation"),
    ("workplaces/mentors", api.MentorViewSet, "api-mentor"),
    ("workplaces/approvals", api.WorkplaceApprovalViewSet, "api-workplace-approval"),
]


urlpatterns += [
    path("offers/", views.offer_list, name="offer-list"),
    path("offers/new/", views.offer_create, name="offer-create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer-detail"),
    path("offers/<int:pk>/decide/", views.offer_decide, name="offer-decide"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer-withdraw"),
    path("my-organisation/", views.host_organisation_list, name="host-organisation-list"),
    path("my-organisation/<int:pk>/", views.host_organisation_edit, name="host-organisation-edit"),
    path("invitations/", views.invitation_list, name="invitation-list"),
    path("invitations/new/", views.invitation_create, name="invitation-create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invite/<str:token>/", views.invite_accept, name="invite-accept"),
]


api_routes += [("offers", OfferViewSet, "api-offer")]
