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
