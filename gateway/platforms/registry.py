"""The platforms a connection can speak to, by the name `gateway connection add --platform` takes.

A client module is imported only when a connection of its platform is used, so an SDK that is an
optional extra (boto3 for DataZone) is needed only by those who connect to that platform.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.domain.sources import Source
from gateway.platforms.base import PlatformClient, Target
from gateway.platforms.errors import PlatformSetupError


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    required: bool = False
    description: str = ""


COMMON_OPTIONS = (
    Option("reread-window", description="minutes read again before the watermark (default 1440)"),
    Option("page-size", description="runs asked for per page"),
)


@dataclass(frozen=True, slots=True)
class PlatformInfo:
    name: str
    source: Source
    client: str
    """The module whose `connect(target)` makes the client."""
    options: tuple[Option, ...] = ()
    extra: str | None = None
    """The optional extra to install (`pip install runs-gateway[extra]`) when the client needs one."""
    forwards: bool = False
    """Whether `startRun`, `cancelRun` and `retryRun` on its processes call the platform."""
    example_endpoint: str = ""
    credential_elsewhere: str | None = None
    """Why `--credential-env` has no meaning for the platform (its SDK finds its own), or None."""


PLATFORMS: dict[str, PlatformInfo] = {
    "databricks": PlatformInfo(
        name="databricks",
        source=Source.DATABRICKS,
        client="gateway.platforms.databricks.client",
        forwards=True,
        example_endpoint="https://<workspace>.cloud.databricks.com",
    ),
    "data-factory": PlatformInfo(
        name="data-factory",
        source=Source.DATA_FACTORY,
        client="gateway.platforms.data_factory.client",
        options=(
            Option("subscription", required=True, description="the Azure subscription id"),
            Option("resource-group", required=True, description="the factory's resource group"),
            Option("factory", required=True, description="the data factory's name"),
        ),
        forwards=True,
        example_endpoint="https://management.azure.com",
    ),
    "datazone": PlatformInfo(
        name="datazone",
        source=Source.DATAZONE,
        client="gateway.platforms.datazone.client",
        options=(
            Option("domain", required=True, description="the DataZone domain id"),
            Option("data-source", required=True, description="data source ids, comma-separated"),
            Option("region", description="the AWS region (default: from the endpoint)"),
        ),
        extra="datazone",
        forwards=True,
        credential_elsewhere=(
            "datazone signs with the standard AWS credentials (AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or a role), found by boto3; --credential-env "
            "has no meaning for it."
        ),
        example_endpoint="https://datazone.<region>.amazonaws.com",
    ),
    "industry-data": PlatformInfo(
        name="industry-data",
        source=Source.INDUSTRY_DATA,
        client="gateway.platforms.industry_data.client",
        forwards=True,  # start only: Graph has no cancel or retry (the client refuses them)
        example_endpoint="https://graph.microsoft.com",
    ),
}


def info(platform: str) -> PlatformInfo:
    found = PLATFORMS.get(platform)
    if found is None:
        raise KeyError(platform)
    return found


def check_options(platform: str, options: Mapping[str, str]) -> str | None:
    """Why `options` do not suit `platform` (an unknown or a missing option), or None."""
    found = PLATFORMS.get(platform)
    if found is None:
        return f"unknown platform {platform!r}; one of {', '.join(sorted(PLATFORMS))}."
    known = {o.name for o in (*found.options, *COMMON_OPTIONS)}
    unknown = sorted(set(options) - known)
    if unknown:
        return f"{platform} has no option {unknown[0]!r}; its options: {', '.join(sorted(known))}."
    missing = [o.name for o in found.options if o.required and not options.get(o.name)]
    if missing:
        return f"{platform} needs the option {missing[0]} (--option {missing[0]}=...)."
    return None


def connect(target: Target) -> PlatformClient:
    """The client of `target`'s platform; a missing SDK extra is a `PlatformSetupError`."""
    found = PLATFORMS.get(target.platform)
    if found is None:
        raise PlatformSetupError(target.connection, f"unknown platform {target.platform!r}.")
    try:
        module = importlib.import_module(found.client)
    except ImportError as exc:
        hint = f" (pip install 'runs-gateway[{found.extra}]')" if found.extra else ""
        raise PlatformSetupError(
            target.connection,
            f"the {target.platform} client cannot be loaded: {exc.name or 'a module'} is "
            f"missing{hint}.",
        ) from None
    client: PlatformClient = module.connect(target)
    return client
