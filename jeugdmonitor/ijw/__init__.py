"""iJw I/O: discover, parse, judge (rules.py) and load iJw messages; the logic is in transforms/ijw."""
