"""The meetings app's pages, one module per area: the year's plan (plan), one meeting's
preparation and holding (meeting), its minutes and resolution (papers), the follow-up by
committee members and the matters raised (followup), and the statistics (stats)."""
