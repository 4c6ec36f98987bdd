from tests.sla.conftest import story  # noqa: F401 - a fixture, shared
