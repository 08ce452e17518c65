"""Referrals from other hospitals and the documents that come with them."""
