"""Every job the job runner runs, in one list (``exchange worker``; ``exchange tick`` runs one pass).

To add a periodic job, add a :class:`~exchange.jobs.runner.Periodic` to ``PERIODIC``: ``due`` lists the
keys of the items that need the move (a plain read), ``apply`` moves one of them — locking it with
``skip_locked`` and re-checking that it is still due, so that many runners move it exactly once.
To add a kind of deferred job, map its ``kind`` to a handler ``async (session, payload) -> None`` in
``HANDLERS``; other modules enqueue it with :func:`exchange.jobs.queue.enqueue`.
"""

from __future__ import annotations

from exchange import reminders
from exchange.audit import service as audit
from exchange.deals import crowdfunding
from exchange.fanout import service as fanout
from exchange.imports import service as imports
from exchange.jobs.runner import Handler, JobList, Periodic
from exchange.notifications import sending as notification_sending
from exchange.tenders import service as tenders
from exchange.webhooks import delivery as webhook_delivery

PERIODIC: list[Periodic] = [
    Periodic("bidding_closes", tenders.due_to_close, tenders.close_if_due,
             "an opportunity whose bid deadline passed: bidding_closed, or unsuccessful below min_bids"),
    Periodic("standstills_end", tenders.due_to_finalize, tenders.finalize_if_due,
             "an award whose standstill ended with no open objection becomes final"),
    Periodic("campaigns_end", crowdfunding.due_to_end, crowdfunding.end_if_due,
             "a campaign past ends_at ends: succeeded, carried, or refunded; with an organization, what was "
             "raised and matched becomes its deal"),
    Periodic("reminder_bid_deadline", reminders.bid_deadlines_due, reminders.remind_bid_deadline,
             "24 h before the bid deadline, to each bidder"),
    Periodic("reminder_milestone_due", reminders.milestones_due, reminders.remind_milestone,
             "3 days before a milestone is due, to the organization"),
    Periodic("reminder_standstill_ending", reminders.standstills_ending, reminders.remind_standstill,
             "a day before the standstill ends, to the buyer"),
    Periodic("reminder_need_unanswered", reminders.needs_unanswered, reminders.remind_need,
             "an open need with no claim after 7 days, to the managers"),
    Periodic("audit_checkpoint", audit.checkpoint_due, audit.record_checkpoint,
             "verify the audit chain from its newest checkpoint and record how far it is intact"),
    # telling people: after the moves above, so that their events go out in the same pass
    Periodic("fan_out_events", fanout.due, fanout.apply,
             "the next event: notifications for who is told (notifications/rules.py), webhook deliveries queued"),
    Periodic("deliver_webhooks", webhook_delivery.due, webhook_delivery.deliver,
             "one attempt at each due webhook delivery (backoff with jitter for 24 h)"),
    Periodic("send_notifications", notification_sending.due, notification_sending.send_one,
             "email, SMS and WeChat messages of notifications, to the users who chose them"),
]

HANDLERS: dict[str, Handler] = {
    imports.JOB_KIND: imports.run_job,  # an uploaded sheet checked or imported (POST /imports)
}

JOBS = JobList(periodic=PERIODIC, handlers=HANDLERS)
