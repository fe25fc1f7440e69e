"""casavi consumptions: resources, meters and their measurements.

A meter is created for a unit (`POST /units/{unitId}/meters`) or for a community, the
property its units belong to (`POST /communities/{communityId}/meters`); either way it is
one meter, read, replaced and deleted at `/consumptions/meters/{meterId}` and listed by
`GET /consumptions/meters`. The unit and community lists show the meters that belong to
them. A meter needs an existing consumption resource (and, where it names them, an
existing unit and property); a measurement needs an existing meter and gets its integer
id from the server (`REFERENCES`, checked by the engine). Measurements are readings of
their meter: deleting a meter deletes them (no measurement names a meter that is gone);
a consumption resource a meter names cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import list_reply
from ...engine.contract.collections import CollectionInfo
from ...engine.contract.references import BodyReference
from ...engine.errors import ApiError
from ...engine.runtime import ApiRuntime
from ...engine.state.changes import DELETED, SERVER_ORIGINS, Change
from ...engine.vendor import Call, Reply
from .collection_paths import MEASUREMENTS, METERS, PROPERTIES, RESOURCES, UNITS


def _info(call: Call, template: str) -> CollectionInfo:
    return call.runtime.collections[template]


def _exists(call: Call, template: str, key: Any) -> bool:
    return call.runtime.existing(call.account, _info(call, template), (), str(key)) is not None


def _owner(call: Call, template: str, name: str, noun: str) -> str:
    """The unit or community (a property) the path names; 404 when there is none."""
    key = str(call.incoming.path_parameters[name])
    if not _exists(call, template, key):
        raise ApiError(call.operation.error_status(404), f"{noun} {key!r} not found")
    return key


def _new_meter(call: Call, fields: dict[str, Any]) -> Reply:
    info = _info(call, METERS)
    record = toolkit.new_record(call, info, fields)
    toolkit.store_new(call, info, record)
    return Reply(call.operation.success.status)


def create_meter_for_unit(call: Call) -> Reply:
    unit = _owner(call, UNITS, "unitId", "unit")
    return _new_meter(call, {**toolkit.body_fields(call), "unitId": unit})


def create_meter_for_community(call: Call) -> Reply:
    community = _owner(call, PROPERTIES, "communityId", "community")
    fields = {key: value for key, value in toolkit.body_fields(call).items() if key != "unitId"}
    return _new_meter(call, {**fields, "propertyId": community})


def meters_of_unit(call: Call) -> Reply:
    unit = _owner(call, UNITS, "unitId", "unit")
    return _meters_where(call, lambda meter: str(meter.get("unitId")) == unit)


def meters_of_community(call: Call) -> Reply:
    community = _owner(call, PROPERTIES, "communityId", "community")
    return _meters_where(call, lambda meter: str(meter.get("propertyId")) == community and not meter.get("unitId"))


def _meters_where(call: Call, belongs: Any) -> Reply:
    info = _info(call, METERS)
    meters = [meter for meter in call.runtime.collection(call.account, METERS).values() if belongs(meter)]
    return list_reply(call, meters, info)


def measurements_of_meter(call: Call) -> Reply:
    meter = str(call.incoming.path_parameters["meterId"])
    if not _exists(call, METERS, meter):
        raise ApiError(call.operation.error_status(404), f"consumption meter {meter!r} not found")
    info = _info(call, MEASUREMENTS)
    measurements = [
        measurement
        for measurement in call.runtime.collection(call.account, MEASUREMENTS).values()
        if str(measurement.get("meterId")) == meter
    ]
    return list_reply(call, measurements, info)


class MeasurementsGoWithTheirMeter:
    """Listener of meter deletions: the meter's measurements are deleted through the store too."""

    collections = (METERS,)
    kinds = (DELETED,)
    origins = SERVER_ORIGINS

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def __call__(self, change: Change) -> None:
        store = self.runtime.store
        measurements = store.collection(change.account, MEASUREMENTS)
        readings = [key for key in measurements.keys() if str((measurements.get(key) or {}).get("meterId")) == change.key]
        for key in readings:
            store.delete(change.account, MEASUREMENTS, (), key, origin=change.origin)


# What a meter and a measurement name, checked by the engine wherever the field travels
# (400 naming the field: the document states no status). A consumption resource that a
# meter names cannot be deleted (409) until no meter names it.
REFERENCES = (
    BodyReference("POST", "/units/{unitId}/meters", "resourceId", RESOURCES),
    BodyReference("POST", "/communities/{communityId}/meters", "resourceId", RESOURCES),
    BodyReference("PUT", "/consumptions/meters/{meterId}", "resourceId", RESOURCES, guards_delete=True),
    BodyReference("PUT", "/consumptions/meters/{meterId}", "unitId", UNITS),
    BodyReference("PUT", "/consumptions/meters/{meterId}", "propertyId", PROPERTIES),
    BodyReference("POST", MEASUREMENTS, "[].meterId", METERS),
    BodyReference("PUT", "/consumptions/measurements/{measurementId}", "meterId", METERS),
)
