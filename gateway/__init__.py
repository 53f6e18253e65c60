"""runs-gateway: one typed, OData-style GraphQL API over pipeline and job runs."""

__version__ = "0.1.0"
