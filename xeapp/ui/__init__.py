"""The NiceGUI user interface: the frame, one module per page, and the event bridge."""
