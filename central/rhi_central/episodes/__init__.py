"""Episodes in: the console form, CSV imports of case-system and police exports, and the
integration endpoint all become the same rows, checked by the same rules and applied whole."""
