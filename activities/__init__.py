"""Activities: the only code run by workflows that touches the database, registers, mail and files."""
