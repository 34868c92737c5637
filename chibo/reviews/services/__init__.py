"""Every write of the review (ARCHITECTURE invariant 2), one module per area:
`duties` (duties, pledges, outcomes), `criteria` (criteria sets), `rounds` (the member round:
self-assessment, proposal, decision, quota, re-rating), `orgs` (the organizations' round),
`history` (ratings recorded from old records and imports). `common` holds the checks they share."""
