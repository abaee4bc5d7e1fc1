app_name = "blog"
urlpatterns = []
