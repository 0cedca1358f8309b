"""The RHI-level screens around the questionnaire: offer and consent, sessions, safety plan,
outcomes and referrals, signatures, and review-and-complete."""
