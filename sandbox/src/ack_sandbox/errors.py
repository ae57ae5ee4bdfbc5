"""The one error type the sandbox raises; the server renders it in the ECS (RPC) or CS (ROA) error shape."""


class ApiError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def missing(name):
    return ApiError(
        400, "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this request is not supplied.',
    )


def invalid(name, detail=""):
    suffix = f" {detail}" if detail else ""
    return ApiError(400, "InvalidParameter", f'The specified parameter "{name}" is not valid.{suffix}')
