"""The user's configuration: discovery, extends, validation against the shipped schema."""
