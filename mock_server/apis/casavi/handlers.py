"""casavi operations whose documented behaviour goes beyond storing the body: the handler of
each, by operation id."""

from __future__ import annotations

from ...engine.vendor import Handler
from .attachments import update_ticket, upload_file, with_uploaded_attachments
from .comments import comment_ticket, update_comment
from .consumptions import (
    create_meter_for_community,
    create_meter_for_unit,
    measurements_of_meter,
    meters_of_community,
    meters_of_unit,
)
from .hooks import create_hook
from .jobs import import_master_data, job_information, upload_document
from .tokens import get_access_token, refresh_access_token
from .units import unit_by_id, units_of_property

HANDLERS: dict[str, Handler] = {
    "getAccessToken": get_access_token,
    "refreshAccessToken": refresh_access_token,
    "import": import_master_data,
    "uploadANewDocumentOrChangeAnExistingOne": upload_document,
    "informationAboutAJob": job_information,
    "getAllUnitsOfAProperty": units_of_property,
    "getUnitById": unit_by_id,
    "createANewWebhookSubscription": create_hook,
    "fileUpload": upload_file,
    "createANewTicket": with_uploaded_attachments,
    "updateAnExistingTicket": update_ticket,
    "createOrderTask": with_uploaded_attachments,
    "updateTicketTask": with_uploaded_attachments,
    "commentTicket": comment_ticket,
    "updateTicketComment": update_comment,
    "createMeterForUnit": create_meter_for_unit,
    "createMeterForCommunity": create_meter_for_community,
    "getListOfMetersByUnit": meters_of_unit,
    "getListOfMetersByCommunity": meters_of_community,
    "getListOfConsumptionMeasurementsByMeter": measurements_of_meter,
}
# Handled creations whose answer to an `id` that exists already is a clash (409).
CLASHING = frozenset({"createANewTicket", "createOrderTask", "commentTicket", "createMeterForUnit", "createMeterForCommunity"})
