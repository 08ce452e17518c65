"""The international desk: inquiries from abroad, remote review, visit logistics, dashboard."""
