"""E-mail to staff: a daily digest and alerts. Counts and links only, never a child's details."""
