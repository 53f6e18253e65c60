"""Which status vocabulary a run or activity of each platform speaks."""

from __future__ import annotations

from gateway.domain.sources import ActivityKind, Source
from gateway.domain.status import RunStatus
from gateway.domain.status_maps import Vocabulary, map_status

RUN_VOCABULARIES: dict[Source, tuple[Vocabulary, ...]] = {
    Source.INDUSTRY_DATA: (Vocabulary.INDUSTRY_DATA_RUN,),
    # v2 pipeline runs first; v1 slice runs have values of their own (Ready, Timed Out, Skip, ...)
    Source.DATA_FACTORY: (Vocabulary.DATA_FACTORY_PIPELINE, Vocabulary.DATA_FACTORY_SLICE),
    Source.DATABRICKS: (Vocabulary.DATABRICKS,),
    Source.DATAZONE: (Vocabulary.DATAZONE_RUN,),
    Source.GATEWAY: (Vocabulary.GATEWAY,),
}

ACTIVITY_VOCABULARIES: dict[ActivityKind, tuple[Vocabulary, ...]] = {
    ActivityKind.INBOUND_FLOW: (Vocabulary.INDUSTRY_DATA_ACTIVITY,),
    ActivityKind.OUTBOUND_FLOW: (Vocabulary.INDUSTRY_DATA_ACTIVITY,),
    ActivityKind.DATA_FACTORY_ACTIVITY: (
        Vocabulary.DATA_FACTORY_PIPELINE,
        Vocabulary.DATA_FACTORY_SLICE,
    ),
    ActivityKind.DATABRICKS_TASK: (Vocabulary.DATABRICKS,),
    ActivityKind.DATAZONE_ASSET: (Vocabulary.DATAZONE_ASSET,),
    ActivityKind.GATEWAY_ACTIVITY: (Vocabulary.GATEWAY,),
}


def _first_known(vocabularies: tuple[Vocabulary, ...], source_status: str) -> RunStatus:
    for vocabulary in vocabularies:
        status = map_status(vocabulary, source_status)
        if status is not RunStatus.UNKNOWN:
            return status
    return RunStatus.UNKNOWN


def run_status(source: Source, source_status: str) -> RunStatus:
    """The unified status of a run's raw platform status."""
    return _first_known(RUN_VOCABULARIES[source], source_status)


def activity_status(kind: ActivityKind, source_status: str) -> RunStatus:
    """The unified status of an activity's raw platform status."""
    return _first_known(ACTIVITY_VOCABULARIES[kind], source_status)
