from django.urls import URLPattern, re_path

from civique.api.api import api
from civique.api.auth import limit_by_address
from civique.api.errors import json_index, json_method_not_allowed, json_not_found

# Ninja's own patterns, with its plain-text 405 answers turned into JSON and its HTML root page
# replaced by a JSON index; then a JSON 404 for any other address under /api/v1/. The addresses
# that need no token (index, description, documentation, unknown) spend the address's budget;
# the operations spend the token's, in TokenAuth.
_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        if _pattern.name == "api-root":
            _pattern.callback = limit_by_address(json_index)
        elif _pattern.name in ("openapi-json", "openapi-view"):
            _pattern.callback = limit_by_address(json_method_not_allowed(_pattern.callback))
        else:
            _pattern.callback = json_method_not_allowed(_pattern.callback)

app_name = _namespace
urlpatterns = [*_patterns, re_path(r"^.*$", limit_by_address(json_not_found))]
