"""Marketing platforms' payloads translated into the generic lead."""
