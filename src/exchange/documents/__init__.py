"""Documents: tender files, sealed bid documents, contracts, evidence and reports.

Two layers in one package. The lower one — ``models``, ``repository``, ``schemas``, ``storage``,
``content`` and ``upload`` — knows files and rows only and imports no other domain, so an owner's
read model (an opportunity, a bid, a deal) may list its documents. The upper one — ``service`` and
``endpoints`` — decides who may add, read and delete a document by asking the owning domain's
service whether the user may read or edit the owner; it never copies their rules.
"""
