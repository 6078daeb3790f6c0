"""Loading: paths to files, bytes to objects with positions, and what kind of file each is."""
