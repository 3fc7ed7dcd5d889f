"""JGT I/O: read and load JGT exports; the logic is in transforms/jgt."""
