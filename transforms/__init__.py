"""Pure parsing, cleaning, conforming and indicator logic. No I/O beyond the streams a function is handed."""
