"""The expert pool (专家库): who may be drawn onto a tender's review panel."""
