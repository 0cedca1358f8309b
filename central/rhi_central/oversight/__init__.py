"""Line of sight: the live board, escalation tasks, the daily missing report."""
