from django.conf import settings


def site(request):
    return {"site_name": settings.DATELINE_SITE_NAME}
