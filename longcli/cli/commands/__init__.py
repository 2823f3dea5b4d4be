"""One module per command or command group; `cli/app.py` joins them into the app."""
