"""Request and response models of the contract resources (OpenAPI)."""
