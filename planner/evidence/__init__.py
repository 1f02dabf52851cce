"""What the world says: git, commits, coverage and test reports, snapshots."""
