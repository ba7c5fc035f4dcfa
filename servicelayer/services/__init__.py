"""Use cases behind the REST API: build contract actions, apply them, read contract state."""
