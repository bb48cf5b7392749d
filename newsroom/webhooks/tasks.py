from django_tasks import task


@task()
def send_due_webhooks() -> int:
    from .services import send_due

    return send_due().sent
