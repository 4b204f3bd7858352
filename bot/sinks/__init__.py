"""Platform-independent sinks (the console) and the sink registry."""
