"""Afosto apps: installing an app of the catalogue gives the account an integration.

`POST /int/apps/store/{code}` does not write into the catalogue (`/int/apps/store`); it
installs the listed app for the calling account, which then shows as an integration at
`/int/apps/integrations`. A code the catalogue does not list is a 404.
"""

from __future__ import annotations

from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import success
from ...engine.errors import ApiError
from ...engine.vendor import Call, Reply

CATALOGUE = "/int/apps/store"
INTEGRATIONS = "/int/apps/integrations"
INSTALLED = "installed"


def install_app(call: Call) -> Reply:
    code = str(call.incoming.path_parameters["code"])
    app = call.runtime.existing(call.account, call.runtime.collections[CATALOGUE], (), code)
    if app is None:
        raise ApiError(call.operation.error_status(404), f"app {code!r} not found")
    body = toolkit.body_fields(call)
    info = call.runtime.collections[INTEGRATIONS]
    integration = {
        "name": body.get("name") or app.get("name"),
        "configuration": body.get("configuration") or {},
        "app_code": code,
        "is_installed": True,
        "active_at": call.runtime.now(),
    }
    record = toolkit.store_new(call, info, toolkit.new_record(call, info, integration))
    answer = {"state": INSTALLED, "redirect_url": f"{call.incoming.base_url}{INTEGRATIONS}/{record[info.id_field]}"}
    return success(call, answer, str(record[info.id_field]))
