"""GraphQL of the connections to the platforms: the `Connection` node, its `SyncReport`s, the
`connections` list and `syncConnection`."""
