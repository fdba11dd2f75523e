from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PortalLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user picked another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and most
    office PCs here run an English Windows/Chrome: the portal must still open in
    Vietnamese. Only the language cookie (set by /i18n/setlang/) changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
