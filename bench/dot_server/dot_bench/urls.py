from django.http import JsonResponse
from django.urls import include, path
from oauth2_provider.views.generic import ProtectedResourceView


class Me(ProtectedResourceView):
    def get(self, request, *args, **kwargs):
        return JsonResponse({"client": request.resource_owner.pk if request.resource_owner else 0})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("protected", Me.as_view()),
]
