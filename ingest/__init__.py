"""Reading documents, splitting them along their legal structure, and storing them."""
