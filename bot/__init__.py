"""StudyBot core: platform-neutral study service for DP-100 study groups."""
