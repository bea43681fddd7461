"""Invoice Portal backend: everything that is not the screen. Never imports ``tui``."""
