"""The GraphQL API (strawberry): types, inputs, errors, queries, mutations, loaders, the schema."""
