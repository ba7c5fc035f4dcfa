"""Sign-in for the REST API: SEP-10 challenges and the JWTs they are exchanged for."""

from servicelayer.auth.sep10 import Sep10Server
from servicelayer.auth.tokens import TokenIssuer, ensure_secret_file

__all__ = ["Sep10Server", "TokenIssuer", "ensure_secret_file"]
