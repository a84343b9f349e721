"""Outgoing webhooks to the province's one-stop system: registered endpoints
(``endpoints``), signed JSON bodies (``signing``), an outbox of deliveries written with
each status change and sent by a Celery task (``outbox``, ``tasks``)."""
