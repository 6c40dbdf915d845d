from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Operations: health, readiness, metrics, request logs"

    def ready(self) -> None:
        from ops.logs import stamp_request_ids

        stamp_request_ids()
