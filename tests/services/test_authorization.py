"""Every use case refuses anonymous callers and users of another company.

The list of use cases is read from the code, so a new service function without a case here (or
without the ``@use_case`` decorator) fails this test until its refusals are proven.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import backend.services
from backend.services.context import SYSTEM, Actor, Portal
from backend.services.errors import NotFound, PermissionDenied

from .authz import AuthzCase
from .conftest import World

# Modules of plumbing the use cases share; everything public elsewhere must be a use case.
PLUMBING = {"backend.services.context", "backend.services.errors", "backend.services.credentials"}
# Every tests/services/authz_cases_*.py module holds a CASES dict for its area.
CASE_MODULES = [
    importlib.import_module(f"{__package__}.{info.name}")
    for info in pkgutil.iter_modules([str(Path(__file__).parent)])
    if info.name.startswith("authz_cases_")
]
CASES: dict[str, AuthzCase] = {k: v for m in CASE_MODULES for k, v in m.CASES.items()}


def _service_functions() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(backend.services.__path__, "backend.services."):
        if info.name in PLUMBING:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and not name.startswith("_")
                and value.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


SERVICES = _service_functions()


def test_every_public_service_function_is_a_use_case_with_a_case() -> None:
    not_use_cases = [n for n, f in SERVICES.items() if not hasattr(f, "__use_case__")]
    assert not_use_cases == [], "public functions in backend.services must be @use_case"
    missing = sorted(set(SERVICES) - set(CASES))
    assert missing == [], "use cases without an authorization case"
    stale = sorted(set(CASES) - set(SERVICES))
    assert stale == []


def test_public_use_cases_are_exactly_the_reviewed_ones() -> None:
    declared_public = {n for n, f in SERVICES.items() if f.__use_case__["public"]}
    assert declared_public == {n for n, c in CASES.items() if c.public}


def _actor(world: World, name: str) -> Actor:
    return SYSTEM if name == "system" else getattr(world, name).actor


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if not c.public))
def test_use_case_refuses_anonymous_and_other_companies(
    name: str, portal: Portal, world: World
) -> None:
    service, case = SERVICES[name], CASES[name]
    args, kwargs = case.setup(portal, world)
    with pytest.raises(PermissionDenied):
        service(portal, Actor.anonymous("test"), *args, **kwargs)
    if not case.self_scoped:
        for outsider in (world.bakker_admin, world.bakker_member):
            with pytest.raises((PermissionDenied, NotFound)):
                service(portal, outsider.actor, *args, **kwargs)
    service(portal, _actor(world, case.owner), *args, **kwargs)
