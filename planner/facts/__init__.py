"""What a plan and a phase measured, progress and diagrams, computed once."""
