"""Fan-out: each recorded event becomes notifications (who is told: :mod:`exchange.notifications.rules`)
and webhook deliveries, once, in event order, by the job runner."""
