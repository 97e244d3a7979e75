"""The deal's and the milestone's state machines as data (see :mod:`exchange.tenders.states`).

Capacities (:func:`exchange.deals.service.capacities`): ``org_party`` (a user of the deal's
organization), ``buyer_party`` (a user of the buyer organization; a manager for a brokered deal),
``manager``, ``evaluator``."""

from __future__ import annotations

from exchange.tenders.states import Machine, Table, move

DEAL: Table = {
    ("pending_signatures", "sign"):      move(None, "org_party buyer_party",
                                              "each party once; active when both signed (commits the money)"),
    ("active", "report"):                move("active", "org_party", "the milestone is pending or rejected"),
    ("active", "accept"):                move("active", "buyer_party manager",
                                              "the milestone is reported; pays its tranche, the last one is held"),
    ("active", "reject"):                move("active", "buyer_party manager", "the milestone is reported; a reason"),
    ("active", "supervise"):             move("active", "manager"),
    ("delivered", "supervise"):          move("delivered", "manager"),
    ("active", "closing_report"):        move("delivered", "org_party", "every milestone accepted"),
    ("delivered", "evaluate"):           move("evaluated", "evaluator",
                                              "grade agrees with total; pass pays the held tranche, fail releases it"),
    ("evaluated", "close"):              move("closed", "buyer_party manager", "closes the opportunity too"),
    ("pending_signatures", "terminate"): move("terminated", "buyer_party manager", "a reason"),
    ("active", "terminate"):             move("terminated", "buyer_party manager", "a reason; releases unpaid money"),
    ("delivered", "terminate"):          move("terminated", "buyer_party manager", "a reason; releases unpaid money"),
}

MILESTONE: Table = {
    ("pending", "report"):   move("reported", "org_party"),
    ("rejected", "report"):  move("reported", "org_party"),
    ("reported", "accept"):  move("accepted", "buyer_party manager"),
    ("reported", "reject"):  move("rejected", "buyer_party manager"),
}

deal_machine = Machine("deal", DEAL)
milestone_machine = Machine("milestone", MILESTONE)
