"""datazone: the mapping of its run records (mapping.py) and its wire client (client.py)."""
