"""The composition root: API, scheduled jobs, federation and the CLIs."""
