"""iJw messages: recognising them and turning them into staging rows."""
