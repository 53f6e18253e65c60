"""The bound actions of `/odata/`: what `$metadata` declares. `writing.py` runs them through the
same use cases as the GraphQL mutations `startRun`, `cancelRun` and `retryRun`.

    POST /odata/Processes('proc_…')/RunsGateway.start   {"idempotencyKey": "…", "parameters": {…}}
    POST /odata/Runs('run_…')/RunsGateway.cancel        {"reason": "…"}     (If-Match optional)
    POST /odata/Runs('run_…')/RunsGateway.retry         {"fromFailure": true, "idempotencyKey": "…"}
"""

from __future__ import annotations

from dataclasses import dataclass

_IDEMPOTENCY = "A key that makes a retried request return the first result."
_WAIT = "Seconds to wait for the run to finish before answering (0: answer at once)."


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    nullable: bool = True
    description: str = ""


@dataclass(frozen=True)
class Action:
    name: str
    binding: str  # the entity type it is bound to
    returns: str
    parameters: tuple[Parameter, ...]
    description: str


ACTIONS: dict[tuple[str, str], Action] = {
    (a.binding, a.name): a
    for a in (
        Action(
            "start",
            "Process",
            "Run",
            (
                Parameter("idempotencyKey", "Edm.String", description=_IDEMPOTENCY),
                Parameter("displayName", "Edm.String", description="The run's name."),
                Parameter("parameters", "Edm.Untyped", description="The run's parameters."),
                Parameter("wait", "Edm.Int32", description=_WAIT),
            ),
            "Start a run of the process (GraphQL `startRun`).",
        ),
        Action(
            "cancel",
            "Run",
            "Run",
            (Parameter("reason", "Edm.String", description="Why it is cancelled."),),
            "Cancel the run (GraphQL `cancelRun`); `If-Match` guards it when given.",
        ),
        Action(
            "retry",
            "Run",
            "Run",
            (
                Parameter(
                    "fromFailure",
                    "Edm.Boolean",
                    description="Re-run only what failed or did not run (default: the whole run).",
                ),
                Parameter("idempotencyKey", "Edm.String", description=_IDEMPOTENCY),
                Parameter(
                    "parameters", "Edm.Untyped", description="Parameters for the new attempt."
                ),
                Parameter("wait", "Edm.Int32", description=_WAIT),
            ),
            "Start a new attempt of the run (GraphQL `retryRun`).",
        ),
    )
}
