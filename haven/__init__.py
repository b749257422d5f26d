"""Haven: case management and response protocol for anti-trafficking services."""
