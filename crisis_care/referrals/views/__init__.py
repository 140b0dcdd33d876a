"""Referral views, one module per area: the queue, intake, the referral record,
decline and signposting letters, and the public self-referral pages."""
