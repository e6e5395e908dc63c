from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from placements.urls import api_routes as placement_api_routes
from placements.urls import app_urlpatterns as placement_urlpatterns
from wpl import api_views, views

router = DefaultRouter()
router.register("memberships", api_views.MembershipViewSet, basename="membership")
for prefix, viewset, basename in placement_api_routes:
    router.register(prefix, viewset, basename=basename)

api_urlpatterns = [
    path("me/", api_views.MeView.as_view(), name="api-me"),
    path("token/", api_views.ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_membership, name="switch-membership"),
    path("people/", views.people_list, name="people-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("health/", views.health, name="health"),
    path("notifications/", views.notification_list, name="notification-list"),
    *placement_urlpatterns,
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
]
