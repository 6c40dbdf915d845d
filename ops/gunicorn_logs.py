"""gunicorn's access log, JSON-safe and with anything shaped like a key or token masked."""

import json

from gunicorn.glogging import Logger

from ops.logs import mask_credentials


class MaskedLogger(Logger):
    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("U", "h", "{x-request-id}o"):
            if isinstance(atoms.get(name), str):
                atoms[name] = json.dumps(mask_credentials(atoms[name]))[1:-1]
        return atoms
