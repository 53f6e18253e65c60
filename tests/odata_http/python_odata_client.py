"""Lists and filters runs with python-odata, the client from PyPI, from the service's `$metadata`
alone; prints what it read as JSON. Run as a script (`python python_odata_client.py URL`) so
that `odata` is the client package, not the test folder `tests/odata`."""

from __future__ import annotations

import json
import sys

from odata import ODataService


def main(root: str) -> None:
    service = ODataService(root, reflect_entities=True, quiet_progress=True)
    run = service.entities["Runs"]
    status = service.types["RunsGateway.RunStatus"]  # the enum, as the client made it
    failed = service.query(run).filter(run.status == status.FAILED).limit(500).all()
    newest = service.query(run).order_by(run.createdDateTime.desc()).first()
    one = service.query(run).get(failed[0].id)
    print(
        json.dumps(
            {
                "sets": sorted(service.entities),
                "types": sorted(service.types),
                "failed": [{"id": r.id, "status": r.status.name} for r in failed],
                "newest": newest.id,
                "one": one.id,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
