// A typed runs-gateway client: the documents and their types come from graphql-codegen's client
// preset (src/gql/, from schema.graphql and tests/queries/*.graphql), queries and mutations go
// over fetch, the subscription over graphql-ws (graphql-transport-ws).
//
//   npm ci && npm run codegen && npm run build && node dist/main.js http://127.0.0.1:8000/graphql
//
// Prints one JSON line per step; exits 1 when a step fails.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

import {
  CreateProcessDocument,
  FilteringDocument,
  NewestRunsDocument,
  RunChangedDocument,
  RunChangesDocument,
  StartRunDocument,
  type FilteringQueryVariables,
  type RunChangedSubscription,
  type RunChangesQuery,
} from "./gql/graphql.js";
import type { TypedDocumentString } from "./gql/graphql.js";

const endpoint = process.argv[2] ?? "http://127.0.0.1:8000/graphql";
const token = process.env.GATEWAY_TOKEN; // a bearer token, when the server has auth on

type GraphQLResponse<T> = { data?: T | null; errors?: { message: string }[] };

/** Sends one operation over HTTP; the result is typed by its document. */
async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json()) as GraphQLResponse<TResult>;
  if (!response.ok || body.errors?.length || !body.data) {
    throw new Error(`${response.status}: ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

function report(step: string, values: Record<string, unknown>): void {
  console.log(JSON.stringify({ step, ...values }));
}

async function main(): Promise<void> {
  // The newest runs of every platform; `__typename` narrows each to its platform's type.
  const newest = await execute(NewestRunsDocument, {});
  const jobIds: number[] = [];
  for (const run of newest.runs.nodes) {
    if (run.__typename === "DatabricksRun" && run.jobId != null) {
      jobIds.push(run.jobId);
    }
  }
  report("NewestRuns", {
    totalCount: newest.runs.totalCount,
    typenames: [...new Set(newest.runs.nodes.map((run) => run.__typename))].sort(),
    databricksJobIds: jobIds.length,
  });

  // OData expressions as variables (no escaping), and the same filter as typed input.
  const filters: FilteringQueryVariables = {
    failedRecently: "status eq 'FAILED' and startDateTime ge 2026-10-01T00:00:00Z",
    slowestFirst: "durations/totalMs desc",
    quota: "blockingError/category in ('QUOTA', 'THROTTLED')",
    withFailedTasks: "activities/any(a: a/status eq 'FAILED')",
    databricks: "source eq 'DATABRICKS' and jobId eq 1042",
    search: '"feature build" OR sessionization',
    typed: { status: { in: ["FAILED", "TIMED_OUT"] } },
  };
  const filtered = await execute(FilteringDocument, filters);
  report("Filtering", {
    failedRecently: filtered.failedRecently.totalCount,
    typed: filtered.typed.totalCount,
  });

  // A process of the gateway's own; the result is a union of the payload and typed errors.
  const created = await execute(CreateProcessDocument, {
    input: {
      source: "GATEWAY",
      kind: "GATEWAY_PROCESS",
      displayName: "Example export",
      activityDefinitions: [{ key: "extract", displayName: "Extract", kind: "GATEWAY_ACTIVITY" }],
    },
  });
  if (created.createProcess.__typename !== "CreateProcessPayload") {
    throw new Error(`createProcess: ${JSON.stringify(created.createProcess)}`);
  }
  const processId = created.createProcess.process.id;
  report("CreateProcess", { processId });

  // Where the change stream is now: subscribing `after` it replays whatever happens from here
  // on, so the run started below is seen even if it is created before the subscription starts.
  let cursor: string | null = null;
  for (;;) {
    const page: RunChangesQuery = await execute(RunChangesDocument, { after: cursor, first: 500 });
    cursor = page.runChanges.cursor;
    if (!page.runChanges.hasMore) break;
  }

  const socket = createClient({
    url: endpoint.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: true,
    retryAttempts: 0,
  });
  const changes = socket.iterate<RunChangedSubscription>({
    query: RunChangedDocument.toString(),
    variables: { after: cursor },
  });

  const started = await execute(StartRunDocument, {
    input: { processId, idempotencyKey: "example-start-1", parameters: { day: "2026-11-20" } },
  });
  if (started.startRun.__typename !== "StartRunPayload") {
    throw new Error(`startRun: ${JSON.stringify(started.startRun)}`);
  }
  const runId = started.startRun.run.id;
  report("StartRun", { runId, status: started.startRun.run.status });

  const timeout = setTimeout(() => {
    report("RunChanged", { error: "no change within 30 s" });
    process.exit(1);
  }, 30_000);
  for await (const message of changes) {
    const change = message.data?.runChanged;
    if (change && change.runId === runId) {
      report("RunChanged", { kind: change.kind, runId: change.runId, status: change.toStatus });
      break;
    }
  }
  clearTimeout(timeout);
  await socket.dispose();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
