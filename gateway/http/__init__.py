"""HTTP concerns around the GraphQL view, as ASGI middleware (outermost first): the access log
and request ids, security headers, CORS, the request body limit, authentication and the
per-token rate limit; and GraphQL-over-HTTP content negotiation for the view itself."""
