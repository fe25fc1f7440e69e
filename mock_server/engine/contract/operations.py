"""One contract compiled for serving: every operation with its validators and response.

Everything here runs once at start-up (or is read back from the compiled-contract cache,
`engine/contract/compiled.py`); the request path only reads the results. A parameter's or a body's
validator is compiled on its first use, so start-up compiles none of the thousand-odd a
large contract has; `compile_validators` compiles them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from .kinds import Decision, classify, facts_of
from .routing import PathRouter
from .schema import Schema, SchemaIndex


class _Validated:
    """A schema the contract writes (`source`, with references), checked by a JSON-schema
    validator compiled on first use and kept; a pickle leaves the validator out."""

    source: Schema
    schemas: SchemaIndex

    @cached_property
    def validator(self) -> Any:
        """The compiled JSON-schema validator, made on first use and kept."""
        return self.schemas.validator(self.source)

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name != "validator"}


@dataclass
class ParameterSpec(_Validated):
    """A path, query or header parameter and how to read it from text."""

    name: str
    location: str
    required: bool
    schema: Schema  # resolved OpenAPI schema
    source: Schema  # the schema as the contract writes it (with references): what `validator` checks
    schemas: SchemaIndex = field(repr=False)
    repeated: bool  # an array sent as repeated query parameters

    @cached_property
    def type(self) -> str | None:
        return self.schema.get("type")

    @cached_property
    def default(self) -> Any:
        return self.schema.get("default")

    @cached_property
    def free_text(self) -> bool:
        """Any text is a valid value (a string with no rules): nothing to read or check."""
        return self.schema.get("type") == "string" and not set(self.schema) & _TEXT_RULES


_TEXT_RULES = frozenset({"enum", "format", "pattern", "minLength", "maxLength", "const", "anyOf", "oneOf", "allOf"})


@dataclass
class BodySpec(_Validated):
    """One documented content type of a request body."""

    content_type: str
    schema: Schema  # resolved
    source: Schema  # the schema as the contract writes it (with references): what `validator` checks
    schemas: SchemaIndex = field(repr=False)
    encoding: dict[str, dict[str, Any]] = field(default_factory=dict)

    @cached_property
    def kind(self) -> str:
        if self.content_type.startswith("multipart/"):
            return "multipart"
        if self.content_type.endswith("json"):
            return "json"
        if self.content_type == "text/plain" and self.schema.get("type") in ("object", "array"):
            # JSON sent as text: what a browser's `fetch` sends for a string body.
            return "json"
        if self.content_type == "application/x-www-form-urlencoded":
            return "form"
        return "raw"

    @cached_property
    def described_fields(self) -> frozenset[str]:
        """The fields the body's model (its items' model, for a list) describes: what the
        request's validation checked."""
        schema = self.schema.get("items", {}) if self.schema.get("type") == "array" else self.schema
        return frozenset(schema.get("properties", {}))

    @cached_property
    def defaults(self) -> tuple[tuple[str, Any], ...]:
        """(field, default) for each field of the body's model (its items' model, for a list)
        that documents a default."""
        schema = self.schema.get("items", {}) if self.schema.get("type") == "array" else self.schema
        return tuple((name, prop["default"]) for name, prop in schema.get("properties", {}).items() if "default" in prop)


@dataclass
class ResponseSpec:
    """The documented success answer of an operation."""

    status: int
    content_type: str | None
    schema: Schema | None  # resolved; None for no body
    headers: dict[str, Schema] = field(default_factory=dict)
    # Every documented media type of the answer (the first is `content_type`), resolved.
    media: dict[str, Schema] = field(default_factory=dict)

    @cached_property
    def is_json(self) -> bool:
        return self.content_type is not None and "json" in self.content_type


@dataclass
class OperationSpec:
    """Everything the server needs to answer one operation."""

    api: str
    method: str
    path: str
    operation_id: str
    summary: str
    decision: Decision
    parameters: list[ParameterSpec]
    bodies: dict[str, BodySpec]
    body_required: bool
    success: ResponseSpec
    error_statuses: frozenset[int]
    secured: bool
    document_source: DocumentSource = field(repr=False, compare=False)  # the contract's document

    @cached_property
    def raw(self) -> dict[str, Any]:
        """The operation as the contract's document writes it."""
        return self.document_source.document()["paths"][self.path][self.method.lower()]

    def __getstate__(self) -> dict[str, Any]:
        """What a pickle keeps: not `raw`, read from the document again when asked for."""
        return {name: value for name, value in self.__dict__.items() if name != "raw"}

    @cached_property
    def kind(self) -> str:
        return self.decision.kind

    @cached_property
    def header_names(self) -> tuple[str, ...]:
        """Header parameters, which take part in what a read answers (e.g. paging)."""
        return tuple(spec.name for spec in self.parameters if spec.location == "header")

    @cached_property
    def resource(self) -> str | None:
        return self.decision.resource

    @cached_property
    def collection_template(self) -> str:
        """The collection the operation works on (its own path where it names none)."""
        return self.decision.resource or self.path

    @cached_property
    def key_parameter(self) -> str:
        """The name of the path's last segment, taken as a parameter: `{ticketId}` -> `ticketId`."""
        return self.path.rsplit("/", 1)[-1][1:-1]

    @cached_property
    def takes_multipart(self) -> bool:
        return any(spec.kind == "multipart" for spec in self.bodies.values())

    @cached_property
    def takes_json(self) -> bool:
        return any(spec.kind == "json" for spec in self.bodies.values())

    @cached_property
    def states_not_found(self) -> bool:
        """Whether the vendor's document states a 404 for this operation (not one the
        contract generator inferred)."""
        return self.stated_not_found is not None

    @cached_property
    def stated_not_found(self) -> str | None:
        """What the vendor's document says of this operation's 404, lower-cased ("" when it
        says nothing); None when the document states no 404 (or the generator inferred it)."""
        response = self.raw.get("responses", {}).get("404")
        if not isinstance(response, dict) or response.get("x-inferred"):
            return None
        return str(response.get("description") or "").lower()

    def documents(self, status: int) -> bool:
        return status in self.error_statuses or status == self.success.status

    def error_status(self, wanted: int, *fallbacks: int) -> int:
        """The wanted status if documented, else the first documented fallback, else 400."""
        for status in (wanted, *fallbacks):
            if status in self.error_statuses:
                return status
        return 400 if 400 in self.error_statuses else wanted


class DocumentSource:
    """The document a contract was compiled from, or the way to make it again.

    A contract read back from the cache (`engine/contract/compiled.py`) reads its document when it
    is first asked for (the served contract, coverage, override rules): serving needs only
    what was compiled from it, and the document is half of what a pickle would hold.
    """

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self._document = document
        self.load: Callable[[], dict[str, Any]] | None = None  # set by whoever reads a pickle back

    @property
    def loaded(self) -> bool:
        return self._document is not None

    def document(self) -> dict[str, Any]:
        if self._document is None:
            if self.load is None:
                raise LookupError("a contract read back without a way to its document")
            self._document = self.load()
        return self._document

    def __getstate__(self) -> dict[str, Any]:
        return {"_document": None, "load": None}


@dataclass
class CompiledContract:
    """One API's operations, their router and its schemas."""

    api: str
    schemas: SchemaIndex
    operations: dict[str, OperationSpec]  # by operationId
    router: PathRouter[OperationSpec]
    document_source: DocumentSource = field(repr=False, compare=False)
    # A digest of everything the contract was compiled from (its text, its API module's
    # settings, the code); "" when unknown. Set by `compiled_contract`.
    inputs_digest: str = field(default="", compare=False)
    # Tables worked out from the contract alone, once (kept with it in the cache folder).
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def document(self) -> dict[str, Any]:
        """The OpenAPI document compiled (as its API module adjusted it)."""
        return self.document_source.document()

    def compile_validators(self) -> None:
        """Compile every parameter's and body's validator now (a schema the validator
        library refuses raises here instead of on the first request that needs it)."""
        for operation in self.operations.values():
            for spec in (*operation.parameters, *operation.bodies.values()):
                spec.validator  # compiled on this first access, and kept


def compile_contract(
    api: str, document: dict[str, Any], formats: dict[str, Callable[[str], bool]] | None = None
) -> CompiledContract:
    """Compile routes, validators and response specs of every operation.

    ``formats`` replaces standard format checks where the vendor accepts more (casavi's
    dates carry a time in its own samples).
    """
    schemas = SchemaIndex(document, formats)
    document_source = DocumentSource(document)
    decisions = classify(fact for fact, _ in facts_of(document))
    default_security = document.get("security", [])
    operations: dict[str, OperationSpec] = {}
    router: PathRouter[OperationSpec] = PathRouter()
    for path, item in document["paths"].items():
        shared_parameters = item.get("parameters", [])
        for method, raw in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            spec = _compile_operation(
                api, method.upper(), path, raw, shared_parameters, schemas, decisions[(method.upper(), path)],
                default_security, document_source,
            )
            spec.raw = raw  # what `raw` would look up
            operations[spec.operation_id] = spec
            router.add(path, spec.method, spec)
    return CompiledContract(api, schemas, operations, router, document_source)


def _compile_operation(
    api: str,
    method: str,
    path: str,
    raw: dict[str, Any],
    shared_parameters: list[dict[str, Any]],
    schemas: SchemaIndex,
    decision: Decision,
    default_security: list[dict[str, Any]],
    document_source: DocumentSource,
) -> OperationSpec:
    parameters = [
        _parameter(parameter, schemas)
        for parameter in [*shared_parameters, *raw.get("parameters", [])]
        if not (parameter["in"] == "header" and parameter["name"].lower() in ("accept", "content-type", "authorization"))
    ]
    request_body = raw.get("requestBody", {})
    bodies = {
        content_type: BodySpec(
            content_type=content_type,
            schema=schemas.resolve(media.get("schema", {})),
            source=media.get("schema", {}),
            schemas=schemas,
            encoding=media.get("encoding", {}),
        )
        for content_type, media in request_body.get("content", {}).items()
    }
    statuses = sorted(int(status) for status in raw["responses"] if status.isdigit())
    success_status = next((status for status in statuses if 200 <= status < 300), statuses[0] if statuses else 200)
    security = raw.get("security", default_security)
    return OperationSpec(
        api=api,
        method=method,
        path=path,
        operation_id=raw["operationId"],
        summary=raw.get("summary", ""),
        decision=decision,
        parameters=parameters,
        bodies=bodies,
        body_required=bool(request_body.get("required", False)),
        success=_response(raw["responses"].get(str(success_status), {}), success_status, schemas),
        error_statuses=frozenset(status for status in statuses if status >= 400),
        secured=any(requirement for requirement in security),
        document_source=document_source,
    )


def _parameter(parameter: dict[str, Any], schemas: SchemaIndex) -> ParameterSpec:
    schema = schemas.resolve(parameter.get("schema", {}))
    location = parameter["in"]
    name = parameter["name"]
    return ParameterSpec(
        name=name.lower() if location == "header" else name,
        location=location,
        required=bool(parameter.get("required", location == "path")),
        schema=schema,
        source=parameter.get("schema", {}),
        schemas=schemas,
        repeated=schema.get("type") == "array" and parameter.get("explode", True) and location == "query",
    )


def _response(raw: dict[str, Any], status: int, schemas: SchemaIndex) -> ResponseSpec:
    content = raw.get("content", {})
    media = {media_type: schemas.resolve(item.get("schema", {})) for media_type, item in content.items()}
    content_type = next(iter(content), None)
    schema = media[content_type] if content_type else None
    headers = {name: schemas.resolve(header.get("schema", {})) for name, header in raw.get("headers", {}).items()}
    return ResponseSpec(status=status, content_type=content_type, schema=schema, headers=headers, media=media)
