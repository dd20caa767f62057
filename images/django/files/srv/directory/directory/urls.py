from django.urls import path

from . import views

# "/" on its own port; "/directory/" for a load balancer that forwards
# that path unchanged
urlpatterns = [
    path("", views.companies),
    path("directory/", views.companies),
    path("api/companies", views.companies_json),
    path("directory/api/companies", views.companies_json),
]
