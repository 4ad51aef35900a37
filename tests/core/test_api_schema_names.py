"""The OpenAPI document names each schema by its class name alone: two routers defining a
schema of the same name would share one definition, and clients (and the fuzz test) would
validate one route's answers against the other's schema. Every name must be unique."""

import importlib
import inspect
import pkgutil
from collections import defaultdict

from ninja import Schema

import epicommand
from epicommand.api import api


def test_every_api_schema_name_is_unique():
    api.get_openapi_schema()  # imports every router
    for module in pkgutil.walk_packages(epicommand.__path__, "epicommand."):
        if module.name.split(".")[-1] == "api" or ".api." in module.name:
            importlib.import_module(module.name)
    classes = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("epicommand."):
            classes[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in classes.items() if len(where) > 1}
    assert shared == {}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        if inspect.isclass(sub):
            yield sub
            yield from _subclasses(sub)


def test_no_definition_in_the_openapi_document_stands_for_two_different_ones(monkeypatch):
    """Ninja merges each operation's definitions by name, the last one winning: two enums
    called `Kind` (a venue's and a room's) would leave one route advertising the other's
    values. Enums of the same name are described in place (core.api_schemas.choices)."""
    from ninja.openapi import schema

    merged = schema.OpenAPISchema.add_schema_definitions
    overwritten = set()

    def add(self, definitions):
        overwritten.update(
            name for name, d in definitions.items() if self.schemas.get(name, d) != d
        )
        merged(self, definitions)

    monkeypatch.setattr(schema.OpenAPISchema, "add_schema_definitions", add)
    document = api.get_openapi_schema()
    assert overwritten == set()
    venue_kinds = document["components"]["schemas"]["VenueIn"]["properties"]["kind"]["enum"]
    assert "market" in venue_kinds and "single" not in venue_kinds
