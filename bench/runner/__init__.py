"""The benchmark runner behind `bench/run.py` (its docstring says what a run measures).

Modules, one job each: `queries` (the documents and what the floor computes for each), `capture`
(the store's SQL, recorded), `floor` (the same result in-process), `server` (the server's
processes and their CPU and memory), `client` (the HTTP/1.1 load client), `measure` (one query),
`results` (what a query's measurement holds), `report` (the tables, goals and markdown),
`environment` (the machine, packages and commit), `main` (arguments and the run).
"""
