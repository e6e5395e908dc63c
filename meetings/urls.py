from django.urls import path

from meetings import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meetings-list"),
    path("meetings/coverage/", views.coverage, name="meetings-coverage"),
    path("meetings/mentor-days/", views.mentor_days, name="meetings-mentor-days"),
    path("meetings/mentor-days/<int:pk>/", views.mentor_day, name="meetings-mentor-day"),
    path("meetings/types/<int:pk>/", views.meeting_types, name="meetings-types"),
    path("meetings/calendar/", views.calendar_settings, name="meetings-calendar"),
    path("meetings/placement/<int:pk>/", views.placement_meetings, name="meetings-placement"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meetings-detail"),
    path("meetings/<int:pk>/invite.ics", views.meeting_ics, name="meetings-ics"),
    path("meetings/actions/<int:pk>/done/", views.action_done, name="meetings-action-done"),
    path("meetings/respond/<str:token>/", views.respond_by_link, name="meetings-respond"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]

api_routes: list = []
