"""Pages and API routes of the placements app, one module per area."""

from placements.urls import catalogue, matching, offers, people, preferences, quality, workplaces

app_urlpatterns = [
    *catalogue.urlpatterns,
    *workplaces.urlpatterns,
    *people.urlpatterns,
    *matching.urlpatterns,
    *preferences.urlpatterns,
    *offers.urlpatterns,
    *quality.urlpatterns,
]
api_routes = [
    *catalogue.api_routes,
    *workplaces.api_routes,
    *people.api_routes,
    *matching.api_routes,
    *preferences.api_routes,
    *offers.api_routes,
    *quality.api_routes,
]
