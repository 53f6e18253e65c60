"""What every concept uses: errors, scalars, relay connections, enums, limits, node, capabilities, GraphiQL."""
