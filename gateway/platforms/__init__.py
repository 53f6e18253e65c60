"""Connections to the platforms: one package per platform (its wire client and its mapping to
domain records, shared by `gateway import` and the sync), on a common framework (`base`, `errors`,
`http`, `registry`)."""
