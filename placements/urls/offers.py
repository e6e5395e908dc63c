"""Routes of offers, host self-service and invitations: pages and API routes."""

from django.urls import path

from placements.api.offers import OfferViewSet
from placements.views import offers as views

urlpatterns = [
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
api_routes = [("offers", OfferViewSet, "api-offer")]
